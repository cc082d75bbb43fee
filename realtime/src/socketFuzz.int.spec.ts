import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { boardRoom, boardStreamId, errorStatus, userRoom, type Envelope } from '@primetrade/domain';
import { createInMemoryEventStore, createLogger, toEventToAppend, type EventStore } from '@primetrade/platform';
import { applyEnvelopes, BoardStream } from '@primetrade/projector';
import { createMigratedPostgres, createStoredBoards, type MigratedDatabase } from '@primetrade/read-model';
import { readModelAccess } from './readModelAccess.js';
import { defaultMaxMessageBytes } from './realtimeServer.js';
import { joinsPerSecond } from './rooms.js';
import {
  connectWith,
  join,
  newUser,
  startRealtime,
  type Client,
  type Harness,
  type TestUser,
} from './realtime.testkit.js';

/**
 * Every client → server message the realtime node handles (`board:join`, `board:leave`,
 * `presence:update`; domain/src/realtime.contract.ts), sent malformed by a member in the room and by
 * a stranger, plus unknown events, raw protocol junk, oversized frames and floods. The node must stay
 * responsive (`/healthz` answers, a real write still reaches the well-behaved clients on the board),
 * answer every ack of `board:join` / `board:leave` with the protocol's shape, never throw or log an
 * error, and broadcast nothing that only the junk caused: a watcher in the room records everything.
 */
const seed = 20_261_206;
let sent = 0;

let database: MigratedDatabase;
let store: EventStore;
let harness: Harness;
let board: BoardStream;
const logger = createLogger({ level: 'silent' });
const loggedErrors = vi.spyOn(logger, 'error');
const processErrors: unknown[] = [];
const recordProcessError = (error: unknown) => void processErrors.push(error);

// The well-behaved: the watcher records everything; Gus checks that pushes still arrive.
let watcher: TestUser;
let gus: TestUser;
// The fuzzers: Mallet is a member in the room, Eve a stranger to the board.
let mallet: TestUser;
let eve: TestUser;
const flooders: TestUser[] = [];
let watcherClient: Client;
let gusClient: Client;
let malletClient: Client;
let eveClient: Client;
const floodClients: Client[] = [];
const watcherSaw: { event: string; args: unknown[] }[] = [];
const gusRevisions: number[] = [];
/** How often a join asked the read models who is a member (twice per admitted join, once per refusal). */
let membershipQuestions = 0;
/** Revisions of the real writes: the only board events anyone may receive. */
const written: number[] = [];

/** A real write: into the store, through the projector, pushed by the fan-out (the bus's path). */
async function write(events: readonly Envelope[]): Promise<void> {
  for (const event of events)
    await store.appendToStream(boardStreamId(event.boardId), [toEventToAppend(event, event.id, event)]);
  await applyEnvelopes(database.sql, events);
  await harness.server.publish(events);
}

async function writeAndSeeItPushed(): Promise<void> {
  const event = board.emit({ type: 'BoardRenamed', data: { name: `renamed ${board.revision + 1}` } });
  await write([event]);
  written.push(event.revision);
  await vi.waitFor(() => expect(gusRevisions).toContain(event.revision), { timeout: 30_000 });
  await vi.waitFor(() => expect(boardRevisionsSeenByWatcher()).toContain(event.revision), { timeout: 30_000 });
}

const boardRevisionsSeenByWatcher = () =>
  watcherSaw
    .filter((seen) => seen.event === 'board:events')
    .flatMap((seen) => (seen.args[0] as { events: Envelope[] }).events.map((event) => event.revision));

/**
 * `GET /healthz` on a connection of its own, as a probe makes it: a pooled keep-alive connection may
 * be closed by the server's idle timer just as it is reused (ECONNRESET), which says nothing about the node.
 */
async function healthzAnswers(): Promise<void> {
  const { status, body } = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
    get(`${harness.url}/healthz`, { agent: false }, (response) => {
      let text = '';
      response
        .setEncoding('utf8')
        .on('data', (chunk: string) => (text += chunk))
        .on('end', () => resolve({ status: response.statusCode, body: text }));
    }).on('error', reject);
  });
  expect(status).toBe(200);
  expect(JSON.parse(body)).toEqual({ status: 'ok' });
}

/**
 * Everything the server did for the messages sent so far has reached the watcher: a round trip on
 * each fuzzing socket (handled in order after its earlier messages), then one on the watcher's
 * (whose earlier pushes arrive before the answer).
 */
async function settle(clients: readonly Client[]): Promise<void> {
  for (const client of clients) if (client.connected) await leaveAck(client, randomUUID());
  await leaveAck(watcherClient, randomUUID());
}

const leaveAck = (client: Client, boardId: string): Promise<unknown> =>
  client.timeout(10_000).emitWithAck('board:leave', { boardId });

/** What the watcher saw beyond the pushes of real writes. */
const junkSeenByWatcher = () => watcherSaw.filter((seen) => seen.event !== 'board:events');

const errorCodes = new Set(Object.keys(errorStatus));
/** `{ ok: true }` (plus `revision` for a join) or `{ ok: false, code, message }` with a stable code. */
function expectProtocolAck(event: string, answer: unknown): void {
  const { ok, ...rest } = answer as Record<string, unknown>;
  if (ok === true) {
    expect(Object.keys(rest)).toEqual(event === 'board:join' ? ['revision'] : []);
    if (event === 'board:join') expect(Number.isInteger(rest['revision'])).toBe(true);
    return;
  }
  expect(ok).toBe(false);
  expect(Object.keys(rest).sort()).toEqual(['code', 'message']);
  expect(errorCodes.has(String(rest['code']))).toBe(true);
  expect(typeof rest['message'] === 'string' && rest['message'].length > 0).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Generators

const knownEvents = ['board:join', 'board:leave', 'presence:update'] as const;
/** socket.io-client refuses to send these itself (and the server's parser refuses them too). */
const reservedEvents = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);

interface Emit {
  readonly event: string;
  readonly args: unknown[];
  /** Appended as the last argument: Socket.IO's ack. */
  readonly withAck: boolean;
}

const hugeString = fc.integer({ min: 1_000, max: 12_000 }).map((length) => 'x'.repeat(length));
const unicode = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });

function deeplyNested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? [value] : { boardId: value };
  return value;
}

/** Ids a client might send: the real board's (in several spellings), other UUIDs, and anything but a UUID. */
function idLike(boardId: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constant(boardId),
    fc.constant(boardId.toUpperCase()),
    fc.constant(` ${boardId}`),
    fc.constant(`${boardId}\n`),
    fc.constant(boardId.replaceAll('-', '')),
    fc.constant(`${boardId}${boardId}`),
    fc.uuid(),
    fc.constant('00000000-0000-0000-0000-000000000000'),
    fc.string({ maxLength: 40 }),
    unicode,
    hugeString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant({ $ne: null }),
    fc.array(fc.uuid(), { maxLength: 3 }),
  );
}

/** JSON-ish junk, binary (typed arrays go as Socket.IO attachments) and deep nesting included. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    maxDepth: 3,
    maxKeys: 5,
    withTypedArray: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withSparseArray: true,
    withBoxedValues: true,
  }),
  fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 100, max: 1_500 }).map((depth) => deeplyNested(depth, null)),
  fc.integer({ min: 100, max: 1_000 }).map((depth) => deeplyNested(depth, Buffer.from('bin'))),
  hugeString,
  unicode,
);

function payload(boardId: string): fc.Arbitrary<unknown> {
  const fields = fc.record(
    {
      boardId: idLike(boardId),
      afterRevision: fc.oneof(
        fc.integer({ min: -5, max: 1_000 }),
        fc.constant(Number.MAX_SAFE_INTEGER),
        fc.constant(1e300),
        fc.double(),
        fc.string(),
        fc.constant(null),
        fc.constant(-0),
      ),
      taskId: fc.oneof(fc.uuid(), idLike(boardId), fc.constant(null)),
      editing: fc.oneof(fc.boolean(), fc.constant('true'), fc.integer({ min: 0, max: 1 }), fc.constant(null)),
      extra: junk,
      ['__proto__']: fc.constant({ boardId }),
      constructor: fc.constant('x'),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 4, arbitrary: fields },
    { weight: 1, arbitrary: junk },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const unknownEvent = fc
  .oneof(
    fc.constantFrom(
      'board:events',
      'presence',
      'notification',
      'board:joined',
      'BOARD:JOIN',
      'board:join ',
      'error',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      '',
    ),
    fc.string({ maxLength: 30 }),
    unicode,
  )
  .filter((event) => !reservedEvents.has(event) && !(knownEvents as readonly string[]).includes(event));

/** Roughly what the client puts on the wire, binary attachments aside (each is a frame of its own). */
const encodedSize = (args: unknown[]): number =>
  JSON.stringify(args, (_key, value: unknown) => (ArrayBuffer.isView(value) ? 'bin' : value))?.length ?? 0;

/** Messages under the size limit (the oversized ones have tests of their own). */
function message(boardId: string): fc.Arbitrary<Emit> {
  const extraArgs = fc.array(junk, { maxLength: 3 });
  const messages: fc.Arbitrary<Emit> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        event: fc.constantFrom(...knownEvents),
        args: fc.tuple(payload(boardId), extraArgs).map(([first, rest]) => [first, ...rest]),
        withAck: fc.boolean(),
      }),
    },
    // Too many arguments, or none at all.
    {
      weight: 1,
      arbitrary: fc.record({
        event: fc.constantFrom(...knownEvents),
        args: fc.oneof(fc.constant<unknown[]>([]), fc.array(junk, { minLength: 10, maxLength: 40 })),
        withAck: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        event: unknownEvent,
        args: fc.array(payload(boardId), { maxLength: 3 }),
        withAck: fc.boolean(),
      }),
    },
  );
  return messages.filter((one) => encodedSize(one.args) < defaultMaxMessageBytes - 1_024);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isUuidOf = (value: unknown, boardId: string) => typeof value === 'string' && value.toLowerCase() === boardId;

/**
 * Messages a member may legitimately send that change what the room sees: leaving the board, or
 * showing a task or editing. The member fuzzer never sends these, so the room must see nothing.
 */
function changesWhatTheRoomSees(message: Emit, boardId: string): boolean {
  const first = message.args[0];
  if (!isRecord(first) || !isUuidOf(first['boardId'], boardId)) return false;
  if (message.event === 'board:leave') return true;
  if (message.event !== 'presence:update') return false;
  return (typeof first['taskId'] === 'string' && /^[0-9a-f-]{36}$/i.test(first['taskId'])) || first['editing'] === true;
}

/** Sends one message; resolves with the ack's answer, or `null` when the event takes no ack (then any answer is recorded). */
function send(client: Client, message: Emit, strayAnswers: { event: string; answer: unknown }[]): Promise<unknown> {
  sent += 1;
  const expectsAnswer = message.withAck && (message.event === 'board:join' || message.event === 'board:leave');
  if (!message.withAck) {
    client.emit(message.event as 'board:leave', ...(message.args as [{ boardId: string }]));
    return Promise.resolve(null);
  }
  if (!expectsAnswer) {
    client.emit(
      message.event as 'board:leave',
      ...(message.args as [{ boardId: string }]),
      (answer: unknown) => void strayAnswers.push({ event: message.event, answer }),
    );
    return Promise.resolve(null);
  }
  return client.timeout(30_000).emitWithAck(message.event as 'board:leave', ...(message.args as [{ boardId: string }]));
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  process.on('unhandledRejection', recordProcessError);
  process.on('uncaughtExceptionMonitor', recordProcessError);
  database = await createMigratedPostgres('rtfuzz');
  store = createInMemoryEventStore();
  const { membership } = readModelAccess(database.sql);
  const readModel = {
    roleOf: (boardId: string, userId: string) => {
      membershipQuestions += 1;
      return membership.roleOf(boardId, userId);
    },
    revisionOf: (boardId: string) => membership.revisionOf(boardId),
    standingOf: (boardId: string, userId: string) => {
      membershipQuestions += 1;
      return membership.standingOf(boardId, userId);
    },
  };
  harness = await startRealtime({ readModel, storedBoards: createStoredBoards(store), logger });
  [watcher, gus, mallet, eve] = [newUser('Wanda'), newUser('Gus'), newUser('Mallet'), newUser('Eve')];
  for (let n = 0; n < 4; n += 1) flooders.push(newUser(`Flo ${n}`));
  board = new BoardStream({ ownerId: watcher.id });
  await write([...board.create(), ...[gus, mallet, ...flooders].map((user) => board.addMember(user.id))]);

  watcherClient = await harness.connect(watcher);
  watcherClient.onAny((event: string, ...args: unknown[]) => void watcherSaw.push({ event, args }));
  gusClient = await harness.connect(gus);
  gusClient.on('board:events', ({ events }) => gusRevisions.push(...events.map((event) => event.revision)));
  malletClient = await harness.connect(mallet);
  eveClient = await harness.connect(eve);
  for (const user of flooders) floodClients.push(await harness.connect(user));
  for (const client of [watcherClient, gusClient, malletClient, ...floodClients])
    expect(await join(client, { boardId: board.boardId })).toMatchObject({ ok: true });
  // Everyone is listed; past the coalescing window nothing more is due. From here on the watcher
  // may see only the pushes of real writes.
  await vi.waitFor(() =>
    expect(
      (watcherSaw.filter((seen) => seen.event === 'presence').at(-1)?.args[0] as { users: unknown[] }).users,
    ).toHaveLength(7),
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  watcherSaw.length = 0;
});

afterAll(async () => {
  await harness?.close();
  await store?.close();
  await database?.drop();
  process.off('unhandledRejection', recordProcessError);
  process.off('uncaughtExceptionMonitor', recordProcessError);
  // Printed so the run shows how much the suite sent (README, Tests).
  console.log(`socket fuzz: ${sent} messages sent`);
});

describe('Socket messages fuzzed (fixed seed)', () => {
  it('limits a message to REALTIME_MAX_MESSAGE_BYTES (default 16 KiB), far below Socket.IO’s 1 MB', () => {
    expect(harness.server.io.engine.opts.maxHttpBufferSize).toBe(defaultMaxMessageBytes);
    expect(defaultMaxMessageBytes).toBe(16 * 1024);
  });

  it('a member in the room: malformed messages are refused with the protocol’s ack, change no room and broadcast nothing', async () => {
    const strayAnswers: { event: string; answer: unknown }[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          message(board.boardId).filter((one) => !changesWhatTheRoomSees(one, board.boardId)),
          { minLength: 1, maxLength: 12 },
        ),
        async (messages) => {
          const answers = await Promise.all(
            messages.map(async (one) => ({ event: one.event, answer: await send(malletClient, one, strayAnswers) })),
          );
          for (const { event, answer } of answers) if (answer !== null) expectProtocolAck(event, answer);
          await settle([malletClient]);
          expect(malletClient.connected).toBe(true);
          expect(junkSeenByWatcher()).toEqual([]);
        },
      ),
      { seed, numRuns: 150, endOnFailure: true },
    );
    expect(strayAnswers).toEqual([]);
    await expectOnlyItsOwnRooms(malletClient, mallet, [board.boardId]);
    await writeAndSeeItPushed();
    await healthzAnswers();
  });

  it('a stranger to the board: every join is refused, whatever it sends, and the room sees nothing', async () => {
    const strayAnswers: { event: string; answer: unknown }[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(message(board.boardId), { minLength: 1, maxLength: 12 }), async (messages) => {
        const answers = await Promise.all(
          messages.map(async (one) => ({ event: one.event, answer: await send(eveClient, one, strayAnswers) })),
        );
        for (const { event, answer } of answers) {
          if (answer === null) continue;
          expectProtocolAck(event, answer);
          if (event === 'board:join') expect(answer).toMatchObject({ ok: false });
        }
        await settle([eveClient]);
        expect(eveClient.connected).toBe(true);
        expect(junkSeenByWatcher()).toEqual([]);
      }),
      { seed: seed + 1, numRuns: 150, endOnFailure: true },
    );
    expect(strayAnswers).toEqual([]);
    await expectOnlyItsOwnRooms(eveClient, eve, []);
    await writeAndSeeItPushed();
    await healthzAnswers();
  });

  it('raw protocol junk closes at most the sender’s connection', async () => {
    const rawPackets = [
      '2',
      '2[',
      '2[]',
      '2{}',
      '2"board:join"',
      '2[null]',
      '2[1]',
      '2[42,{"boardId":"x"}]',
      '2[{"a":1}]',
      '2[["board:join"]]',
      '2["board:join"]',
      '2["board:leave",1,2,3]',
      '2["disconnecting"]',
      '2["disconnect"]',
      '2["newListener","x"]',
      '21-["board:join",{"_placeholder":true,"num":0}]',
      '2999-["board:join"]',
      '2-1-["x"]',
      '2/admin,["board:join",{}]',
      '3',
      '3[]',
      '31["x"]',
      '0',
      '0{"token":1}',
      '1',
      '4',
      '4{"message":"x"}',
      '5["x"]',
      '6',
      '9',
      '',
      '\u0000',
      '2["board:join",{"boardId":"\ud800"}]',
      `2${JSON.stringify(['presence:update', deeplyNested(4_000, null)])}`,
      `21-${JSON.stringify(['presence:update', deeplyNested(4_000, { _placeholder: true, num: 0 })])}`,
    ];
    const generated = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 200 }).map((text) => `2${text}`),
      ),
      { seed, numRuns: 60 },
    );
    for (const raw of [...rawPackets, ...generated]) {
      // A stranger each time: the server may close the connection, and an account's sockets are counted.
      const client = await harness.connect(newUser('Raw'));
      sent += 1;
      client.io.engine.write(raw);
      if (raw.startsWith('21-')) client.io.engine.write(Buffer.from('attachment'));
      // The server handles one connection's messages in order: an answer here means the junk was read.
      await client
        .timeout(10_000)
        .emitWithAck('board:leave', { boardId: randomUUID() })
        .catch(() => undefined);
      client.disconnect();
    }
    await settle([malletClient, eveClient]);
    expect(junkSeenByWatcher()).toEqual([]);
    expect(malletClient.connected && eveClient.connected).toBe(true);
    await writeAndSeeItPushed();
    await healthzAnswers();
  });

  describe('oversized frames', () => {
    const oversized = () => 'x'.repeat(defaultMaxMessageBytes + 1);

    it.each(['websocket', 'polling'] as const)(
      'a message over the limit closes only its sender’s connection (%s)',
      async (transport) => {
        const { token } = await harness.tokens.signAccess({ id: eve.id, name: eve.name, role: 'user' });
        const client = await connectWith(harness.open({ token }, [transport]));
        // Just under the limit: junk, refused, and the socket stays.
        sent += 1;
        client.emit('presence:update', { boardId: board.boardId, taskId: 'y'.repeat(defaultMaxMessageBytes - 200) });
        expect(await leaveAck(client, randomUUID())).toEqual({ ok: true });
        const closed = new Promise<string>((resolve) => client.once('disconnect', resolve));
        sent += 1;
        client.emit('presence:update', { boardId: board.boardId, taskId: oversized() });
        expect(await closed).toMatch(/transport (close|error)/);
        await settle([malletClient, eveClient]);
        expect(junkSeenByWatcher()).toEqual([]);
        expect(malletClient.connected && gusClient.connected && watcherClient.connected).toBe(true);
        await writeAndSeeItPushed();
        await healthzAnswers();
      },
    );

    it('a binary attachment over the limit closes only its sender’s connection', async () => {
      const client = await harness.connect(eve);
      const closed = new Promise<string>((resolve) => client.once('disconnect', resolve));
      sent += 1;
      client.emit('presence:update', {
        boardId: board.boardId,
        blob: Buffer.alloc(defaultMaxMessageBytes + 1),
      } as never);
      expect(await closed).toMatch(/transport (close|error)/);
      await settle([malletClient]);
      expect(junkSeenByWatcher()).toEqual([]);
      await writeAndSeeItPushed();
      await healthzAnswers();
    });
  });

  describe('floods', () => {
    /** A mix of junk and no-op messages, none of which changes what the room sees. */
    const floodMessages = (count: number, seedOffset: number) =>
      fc.sample(
        message(board.boardId).filter((one) => !changesWhatTheRoomSees(one, board.boardId)),
        { seed: seed + seedOffset, numRuns: count },
      );

    async function flood(clients: readonly Client[], perClient: number): Promise<void> {
      const strayAnswers: { event: string; answer: unknown }[] = [];
      const answers: Promise<{ event: string; answer: unknown }>[] = [];
      const plans = clients.map((_, index) => floodMessages(perClient, 100 + index));
      const questionsBefore = membershipQuestions;
      const started = Date.now();
      // Legitimate no-ops in bulk as well: restating what the room already sees, re-joining.
      for (const [index, client] of clients.entries()) {
        for (const one of plans[index] ?? [])
          answers.push(send(client, one, strayAnswers).then((answer) => ({ event: one.event, answer })));
        for (let n = 0; n < perClient / 4; n += 1) {
          sent += 3;
          client.emit('presence:update', { boardId: board.boardId, taskId: null, editing: false });
          client.emit('unknown:event' as 'presence:update', { n } as never);
          answers.push(
            client
              .timeout(30_000)
              .emitWithAck('board:join', { boardId: board.boardId })
              .then((answer: unknown) => ({ event: 'board:join', answer })),
          );
        }
      }
      // Meanwhile: the node answers its probe and a real write reaches the well-behaved clients.
      await healthzAnswers();
      await writeAndSeeItPushed();
      for (const { event, answer } of await Promise.all(answers)) if (answer !== null) expectProtocolAck(event, answer);
      await settle(clients);
      // Joins past the per-socket limit never reach the read models: per socket at most one full
      // window per second begun (each admitted join asks twice), however many joins it sent.
      const windows = Math.ceil((Date.now() - started) / 1000) + 1;
      expect(membershipQuestions - questionsBefore).toBeLessThanOrEqual(clients.length * joinsPerSecond * 2 * windows);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(strayAnswers).toEqual([]);
      expect(junkSeenByWatcher()).toEqual([]);
      expect(clients.every((client) => client.connected)).toBe(true);
      await healthzAnswers();
    }

    it('from one socket', async () => {
      await flood([malletClient], 3_000);
    });

    it('from several sockets at once', async () => {
      await flood([malletClient, eveClient, ...floodClients], 800);
    });
  });

  it('left the node without errors: nothing thrown, nothing logged as an error, every push in order', () => {
    expect(processErrors).toEqual([]);
    expect(loggedErrors).not.toHaveBeenCalled();
    expect(boardRevisionsSeenByWatcher()).toEqual(written);
    expect(gusRevisions.filter((revision) => written.includes(revision))).toEqual(written);
  });
});

/** The socket is in its own room, its user's room and the boards it joined legitimately, nothing else. */
async function expectOnlyItsOwnRooms(client: Client, user: TestUser, boards: readonly string[]): Promise<void> {
  const [socket] = await harness.server.io.in(client.id ?? '').fetchSockets();
  expect(new Set(socket?.rooms)).toEqual(new Set([client.id, userRoom(user.id), ...boards.map(boardRoom)]));
}
