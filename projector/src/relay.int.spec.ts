import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { boardStreamId, type BoardEvent, type Envelope } from '@primetrade/domain';
import {
  createInProcessEventBus,
  createLogger,
  createSqlEventStore,
  toEventToAppend,
  type EventBus,
  type EventStore,
  type Sql,
} from '@primetrade/platform';
import { loadCheckpoint, saveNextCheckpoint } from './checkpoints.js';
import { createRelay, type Relay } from './relay.js';
import { LeaseLostError, createLeaderLease, type LeaderLease } from './relayLease.js';
import { createMigratedPglite } from '@primetrade/read-model';
import { waitFor } from './testing/wait.testkit.js';

let sql: Sql;
let store: EventStore;
let bus: EventBus;
let received: Envelope[];
const relays: Relay[] = [];

beforeAll(async () => {
  sql = await createMigratedPglite();
  store = await createSqlEventStore(sql, { pollIntervalMs: 50 });
});
afterAll(async () => {
  await store.close();
  await sql.close();
});
beforeEach(async () => {
  bus = createInProcessEventBus();
  received = [];
  await bus.subscribe('recorder', async (events) => {
    received.push(...events);
  });
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  await bus.close();
});

function startRelay(options: {
  checkpointName: string;
  bus?: EventBus;
  sql?: Sql;
  batchSize?: number;
  lease?: LeaderLease;
}): Relay {
  const relay = createRelay({
    store,
    bus: options.bus ?? bus,
    sql: options.sql ?? sql,
    checkpointName: options.checkpointName,
    batchSize: options.batchSize ?? 500,
    logger: createLogger({ level: 'silent' }),
    ...(options.lease ? { lease: options.lease } : {}),
  });
  relays.push(relay);
  return relay;
}

/** Appends `count` renames to a new board stream (BoardCreated first), one append per event. */
async function appendBoard(count: number, boardId = randomUUID()): Promise<string> {
  for (let index = 0; index < count; index += 1) {
    const event: BoardEvent =
      index === 0
        ? { type: 'BoardCreated', data: { boardId, name: 'b', description: '' } }
        : { type: 'BoardRenamed', data: { name: `name ${index}` } };
    const context = {
      occurredAt: new Date().toISOString(),
      actorId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
    };
    await store.appendToStream(boardStreamId(boardId), [toEventToAppend(event, randomUUID(), context)]);
  }
  return boardId;
}

const of = (boardId: string) => received.filter((event) => event.boardId === boardId).map((event) => event.revision);
const range = (count: number) => Array.from({ length: count }, (_, index) => index);

describe('Relay', () => {
  it('publishes appended board events as envelopes, in order per board and in global order', async () => {
    const checkpointName = `relay-${randomUUID()}`;
    const before = (await store.readAll()).length;
    const [one, two] = await Promise.all([appendBoard(6), appendBoard(4)]);
    await startRelay({ checkpointName, batchSize: 3 }).start();
    await waitFor(() => of(one).length === 6 && of(two).length === 4, 'both boards relayed');
    expect(of(one)).toEqual(range(6));
    expect(of(two)).toEqual(range(4));
    expect(received.slice(before)).toHaveLength(10);
    const positions = received.map((event) => event.position);
    expect([...positions].sort((a, b) => store.comparePositions(a, b))).toEqual(positions);
    expect(received.find((event) => event.boardId === one && event.revision === 0)).toMatchObject({
      type: 'BoardCreated',
      data: { boardId: one },
      schemaVersion: 1,
      causationId: null,
    });
  });

  it('keeps publishing live appends after catching up, and saves the last position', async () => {
    const checkpointName = `relay-${randomUUID()}`;
    await startRelay({ checkpointName }).start();
    const board = await appendBoard(3);
    await waitFor(() => of(board).length === 3, 'live events relayed');
    const last = received[received.length - 1];
    await waitFor(async () => (await loadCheckpoint(sql, checkpointName)) === last?.position, 'checkpoint saved');
  });

  it('does not relay streams other than boards', async () => {
    const context = {
      occurredAt: new Date().toISOString(),
      actorId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
    };
    const auditEventId = randomUUID();
    await store.appendToStream(`audit-${randomUUID()}`, [
      toEventToAppend({ type: 'BoardRenamed', data: { name: 'x' } }, auditEventId, context),
    ]);
    const board = await appendBoard(1);
    await startRelay({ checkpointName: `relay-${randomUUID()}` }).start();
    await waitFor(() => of(board).length === 1, 'board relayed');
    expect(received.length).toBeGreaterThan(0);
    expect(received.map((event) => event.id)).not.toContain(auditEventId);
  });

  describe('when restarted', () => {
    it('continues from its checkpoint: nothing lost and nothing repeated after a clean stop', async () => {
      const checkpointName = `relay-${randomUUID()}`;
      const first = startRelay({ checkpointName });
      await first.start();
      const board = await appendBoard(5);
      await waitFor(() => of(board).length === 5, 'first run relayed');
      await first.stop();
      const boardId = board;
      await appendMore(boardId, 5, 3);
      expect(of(board)).toEqual(range(5));
      await startRelay({ checkpointName }).start();
      await waitFor(() => of(board).length === 8, 'second run relayed');
      expect(of(board)).toEqual(range(8));
    });

    it('republishes at most the last batch when it crashed between publish and checkpoint', async () => {
      const checkpointName = `relay-${randomUUID()}`;
      // The checkpoint write fails once after the publish succeeded: the same batch goes out again.
      let failures = 1;
      const failingOnce =
        (query: Sql['query']): Sql['query'] =>
        async (text, params) => {
          if (text.includes('INSERT INTO checkpoints') && failures-- > 0) throw new Error('connection lost');
          return query(text, params);
        };
      const flaky: Sql = {
        ...sql,
        query: failingOnce((text, params) => sql.query(text, params)),
        tx: (work) => sql.tx((tx) => work({ ...tx, query: failingOnce((text, params) => tx.query(text, params)) })),
      };
      const board = await appendBoard(4);
      await startRelay({ checkpointName, sql: flaky, batchSize: 100 }).start();
      await waitFor(() => of(board).length === 8, 'batch republished');
      expect(of(board)).toEqual([...range(4), ...range(4)]);
      await appendMore(board, 4, 2);
      await waitFor(() => of(board).length === 10, 'later events relayed');
      expect(of(board).slice(8)).toEqual([4, 5]);
    });
  });

  describe('when publishing fails', () => {
    it('retries the same batch and never advances the checkpoint past unpublished events', async () => {
      const checkpointName = `relay-${randomUUID()}`;
      let failures = 2;
      const failing: EventBus = {
        ...bus,
        publish: async (events) => {
          if (failures-- > 0) throw new Error('broker unavailable');
          await bus.publish(events);
        },
      };
      const board = await appendBoard(3);
      await startRelay({ checkpointName, bus: failing }).start();
      await waitFor(() => of(board).length === 3, 'relayed after retries');
      expect(of(board)).toEqual(range(3));
      expect(failures).toBeLessThan(0);
    });
  });

  it('stop() lets the batch in flight finish publishing and checkpointing', async () => {
    const checkpointName = `relay-${randomUUID()}`;
    let publishing: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      publishing = resolve;
    });
    const slow: EventBus = {
      ...bus,
      publish: async (events) => {
        publishing();
        await new Promise((resolve) => setTimeout(resolve, 200));
        await bus.publish(events);
      },
    };
    const board = await appendBoard(2);
    const relay = startRelay({ checkpointName, bus: slow });
    await relay.start();
    await started;
    await relay.stop();
    expect(of(board)).toEqual(range(2));
    expect(await loadCheckpoint(sql, checkpointName)).toBe(received[received.length - 1]?.position);
  });
});

describe('Relay with a leader lease', () => {
  const lease = (name: string, holder: string, ttlMs = 1_500) => createLeaderLease({ sql, name, holder, ttlMs });

  it('lets one relay publish while the other stands by, and hands over when the leader stops', async () => {
    const checkpointName = `relay-${randomUUID()}`;
    const leaseName = `lease-${randomUUID()}`;
    const first = startRelay({ checkpointName, lease: lease(leaseName, 'first') });
    const second = startRelay({ checkpointName, lease: lease(leaseName, 'second') });
    await first.start();
    await second.start();
    expect(first.status().role).toBe('leader');
    expect(second.status().role).toBe('standby');
    const board = await appendBoard(3);
    await waitFor(() => of(board).length === 3, 'leader relayed');
    await first.stop();
    await appendMore(board, 3, 2);
    await waitFor(() => of(board).length === 5, 'standby took over');
    expect(of(board)).toEqual(range(5));
    expect(second.status()).toMatchObject({ role: 'leader', epoch: '2' });
  });

  it('takes over from a leader that stopped renewing once its lease expired', async () => {
    const checkpointName = `relay-${randomUUID()}`;
    const leaseName = `lease-${randomUUID()}`;
    // A leader that "froze": its lease row was taken once, and it renews no more.
    const frozen = lease(leaseName, 'frozen');
    expect(await frozen.campaign()).toBe(1n);
    const standby = startRelay({ checkpointName, lease: lease(leaseName, 'standby') });
    await standby.start();
    expect(standby.status().role).toBe('standby');
    const board = await appendBoard(2);
    await waitFor(() => standby.status().role === 'leader', 'standby became leader after expiry', 10_000);
    await waitFor(() => of(board).length === 2, 'standby relayed');
    expect(standby.status().epoch).toBe('2');
    // The frozen one wakes up: its renewal fails, its checkpoint write is fenced.
    expect(await frozen.campaign()).toBeNull();
    const saved = await loadCheckpoint(sql, checkpointName);
    await expect(
      saveNextCheckpoint(sql, {
        name: checkpointName,
        position: received[0]!.position,
        fence: { lease: leaseName, holder: 'frozen', epoch: 1n },
      }),
    ).rejects.toThrow(/held by standby at epoch 2/);
    expect(await loadCheckpoint(sql, checkpointName)).toBe(saved);
  });

  it("writes the relay's checkpoint in one statement only under its lease's epoch", async () => {
    const checkpointName = `relay-${randomUUID()}`;
    const leaseName = `lease-${randomUUID()}`;
    const holder = lease(leaseName, 'holder');
    const epoch = await holder.campaign();
    expect(epoch).toBe(1n);
    const board = await appendBoard(2);
    const [first, second] = await store.readStream(boardStreamId(board));
    const fence = { lease: leaseName, holder: 'holder', epoch: 1n };
    await saveNextCheckpoint(sql, { name: checkpointName, position: first!.position, fence });
    expect(await loadCheckpoint(sql, checkpointName)).toBe(first!.position);
    await saveNextCheckpoint(sql, { name: checkpointName, position: second!.position, fence });
    expect(await loadCheckpoint(sql, checkpointName)).toBe(second!.position);
    // Another epoch (a takeover happened) or another holder: refused, the checkpoint stays.
    await expect(
      saveNextCheckpoint(sql, { name: checkpointName, position: first!.position, fence: { ...fence, epoch: 2n } }),
    ).rejects.toThrow(LeaseLostError);
    await expect(
      saveNextCheckpoint(sql, { name: checkpointName, position: first!.position, fence: { ...fence, holder: 'x' } }),
    ).rejects.toThrow(/held by holder at epoch 1/);
    expect(await loadCheckpoint(sql, checkpointName)).toBe(second!.position);
  });

  it('steps down without moving the checkpoint when another relay took the lease under it', async () => {
    const checkpointName = `relay-${randomUUID()}`;
    const leaseName = `lease-${randomUUID()}`;
    const relay = startRelay({ checkpointName, lease: lease(leaseName, 'old', 60_000) });
    await relay.start();
    const board = await appendBoard(1);
    await waitFor(() => of(board).length === 1, 'relayed');
    await waitFor(async () => (await loadCheckpoint(sql, checkpointName)) !== null, 'checkpoint saved');
    const saved = await loadCheckpoint(sql, checkpointName);
    await sql.query(`UPDATE relay_leases SET holder = 'usurper', epoch = epoch + 1 WHERE name = $1`, [leaseName]);
    await appendMore(board, 1, 2);
    await waitFor(() => relay.status().role === 'standby', 'stepped down', 10_000);
    expect(await loadCheckpoint(sql, checkpointName)).toBe(saved);
  });
});

async function appendMore(boardId: string, fromRevision: number, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const context = {
      occurredAt: new Date().toISOString(),
      actorId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
    };
    await store.appendToStream(boardStreamId(boardId), [
      toEventToAppend({ type: 'BoardRenamed', data: { name: `more ${fromRevision + index}` } }, randomUUID(), context),
    ]);
  }
}
