import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { graphqlSchema } from '@primetrade/command-api';
import { boardStreamId, type Envelope } from '@primetrade/domain';
import {
  createInMemoryEventStore,
  createLogger,
  createRedisClient,
  createTestRedis,
  createTokenService,
  redisReady,
  toEventToAppend,
  type EventStore,
  type Redis,
  type TestRedis,
} from '@primetrade/platform';
import { BoardStream } from '@primetrade/projector';
import { createStoredBoards } from '@primetrade/read-model';
import { createRealtimeServer, createRedisAdapter, type RealtimeDeps, type RealtimeServer } from '@primetrade/realtime';

/**
 * `subscription { boardEvents }` over graphql-ws on the realtime node (docs/adr/0028-graphql-endpoint.md).
 * The stand-in read model knows no board, so the board's stream decides every subscribe, as `board:join`.
 */
const boardEvents = `subscription Follow($boardId: ID!, $afterRevision: Int) {
  boardEvents(boardId: $boardId, afterRevision: $afterRevision) { revision type actorId occurredAt data }
}`;

interface Received {
  readonly revision: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

let store: EventStore;
const nodes: Node[] = [];
const disposers: (() => void)[] = [];
const tokens = createTokenService({ secret: 'graphql-subscriptions-test-secret-0123456789', accessTtlSeconds: 900 });

interface Node {
  readonly url: string;
  readonly server: RealtimeServer;
}
interface TestUser {
  readonly id: string;
  readonly name: string;
}
const newUser = (name: string): TestUser => ({ id: randomUUID(), name });

/** A realtime node as realtimeNode.ts composes it, minus Kafka: a test publishes what its consumer would. */
async function startNode(cluster: Pick<RealtimeDeps, 'adapter'> = {}): Promise<Node> {
  const httpServer = createServer((_req, res) => void res.writeHead(404).end());
  const server = createRealtimeServer({
    ...cluster,
    httpServer,
    tokens,
    // A read model that knows no board: the board's stream decides every subscribe.
    membership: {
      roleOf: async () => null,
      standingOf: async () => ({ role: null, revision: null }),
      revisionOf: async () => null,
    },
    storedBoards: createStoredBoards(store),
    graphqlSchema,
    logger: createLogger({ level: 'silent' }),
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const node = { url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, server };
  nodes.push(node);
  return node;
}

function connect(node: Node, token: unknown): Client {
  const client = createClient({
    url: `${node.url.replace('http', 'ws')}/graphql-ws`,
    webSocketImpl: WebSocket,
    connectionParams: { token },
    retryAttempts: 0,
  });
  disposers.push(() => void client.dispose());
  return client;
}

/** A subscription following a board (on its own connection by default); records what it receives and how it ended. */
function follow(
  node: Node,
  token: unknown,
  variables: { boardId: string; afterRevision?: number },
  client = connect(node, token),
) {
  const received: Received[] = [];
  const outcome: { errors?: readonly GraphQLFormattedError[]; closed?: { code: number; reason: string } } = {};
  let completed = false;
  client.subscribe<{ boardEvents: Received }>(
    { query: boardEvents, variables },
    {
      next: (result) => (result.errors ? (outcome.errors = result.errors) : received.push(result.data!.boardEvents)),
      error: (error) => {
        if (Array.isArray(error)) outcome.errors = error as GraphQLFormattedError[];
        else outcome.closed = { code: (error as { code: number }).code, reason: (error as { reason: string }).reason };
      },
      complete: () => (completed = true),
    },
  );
  return { received, outcome, revisions: () => received.map((event) => event.revision), completed: () => completed };
}

const tokenOf = async (user: TestUser) =>
  (await tokens.signAccess({ id: user.id, name: user.name, role: 'user' })).token;

/** Appended as command-api appends: the store has it before any node publishes it. */
async function write(events: readonly Envelope[]): Promise<readonly Envelope[]> {
  for (const event of events)
    await store.appendToStream(boardStreamId(event.boardId), [toEventToAppend(event, event.id, event)]);
  return events;
}

const renames = (board: BoardStream, count: number) =>
  Array.from({ length: count }, () => board.emit({ type: 'BoardRenamed', data: { name: `r${board.revision + 1}` } }));

let owner: TestUser;
let bob: TestUser;
let board: BoardStream;
beforeEach(async () => {
  store = createInMemoryEventStore();
  [owner, bob] = [newUser('olga'), newUser('bob')];
  board = new BoardStream({ ownerId: owner.id });
  await write([...board.create(), board.addMember(bob.id)]);
});
afterEach(async () => {
  for (const dispose of disposers.splice(0)) dispose();
  for (const node of nodes.splice(0)) await node.server.close();
  await store.close();
});

describe('GraphQL boardEvents on one realtime node', () => {
  it('gives a member the events after afterRevision, then the live ones, in order, each once', async () => {
    const node = await startNode();
    await write(renames(board, 3)); // revisions 3, 4, 5
    const bob$ = follow(node, await tokenOf(bob), { boardId: board.boardId, afterRevision: 3 });
    // Published at once, while the catch-up may still be reading: 5 is both caught up and live.
    const live = await write(renames(board, 2)); // 6, 7
    await node.server.publish([...live, ...live]);
    await vi.waitFor(() => expect(bob$.revisions()).toEqual([4, 5, 6, 7]));
    // A batch this node never saw (8) is read from the store when 9 arrives after it.
    const [eighth, ninth] = await write(renames(board, 2));
    await node.server.publish([ninth!]);
    await vi.waitFor(() => expect(bob$.revisions()).toEqual([4, 5, 6, 7, 8, 9]));
    await node.server.publish([eighth!, ninth!]);
    expect(bob$.received.at(-1)).toMatchObject({ type: 'BoardRenamed', data: { name: 'r9' } });
    expect(bob$.revisions()).toEqual([4, 5, 6, 7, 8, 9]);
    expect(bob$.completed()).toBe(false);
  });

  it('starts from now without afterRevision', async () => {
    const node = await startNode();
    const bob$ = follow(node, await tokenOf(bob), { boardId: board.boardId });
    await vi.waitFor(async () => {
      await node.server.publish(await write(renames(board, 1)));
      expect(bob$.revisions().length).toBeGreaterThan(0);
    });
    await vi.waitFor(() => expect(bob$.revisions().at(-1)).toBe(board.revision));
    const first = bob$.revisions()[0]!;
    expect(bob$.revisions()).toEqual(Array.from({ length: board.revision - first + 1 }, (_, i) => first + i));
  });

  it('refuses a stranger with BOARD.NOT_FOUND and sends nothing', async () => {
    const node = await startNode();
    const stranger$ = follow(node, await tokenOf(newUser('stan')), { boardId: board.boardId, afterRevision: 0 });
    await vi.waitFor(() => expect(stranger$.outcome.errors?.[0]?.extensions?.['code']).toBe('BOARD.NOT_FOUND'));
    await node.server.publish(await write(renames(board, 1)));
    expect(stranger$.received).toEqual([]);
  });

  it('closes a connection without a valid token with 4401 and the code', async () => {
    const node = await startNode();
    const anonymous$ = follow(node, 'not-a-token', { boardId: board.boardId });
    await vi.waitFor(() => expect(anonymous$.outcome.closed).toEqual({ code: 4401, reason: 'AUTH.UNAUTHENTICATED' }));
  });

  it('refuses the 11th subscribe of a connection within a second with RATE_LIMITED', async () => {
    const node = await startNode();
    const token = await tokenOf(bob);
    const client = connect(node, token);
    const follows = Array.from({ length: 11 }, () =>
      follow(node, token, { boardId: board.boardId, afterRevision: 1 }, client),
    );
    await vi.waitFor(() => expect(follows.filter((one) => one.revisions()[0] === 2)).toHaveLength(10));
    await vi.waitFor(() =>
      expect(follows.map((one) => one.outcome.errors?.[0]?.extensions?.['code']).filter(Boolean)).toEqual([
        'RATE_LIMITED',
      ]),
    );
  });

  it('closes the connections of an account revoked meanwhile with 4403 and the code', async () => {
    const node = await startNode();
    const bob$ = follow(node, await tokenOf(bob), { boardId: board.boardId, afterRevision: 1 });
    await vi.waitFor(() => expect(bob$.revisions()).toEqual([2]));
    node.server.dropAccount(bob.id);
    await vi.waitFor(() => expect(bob$.outcome.closed).toEqual({ code: 4403, reason: 'AUTH.ACCOUNT_DISABLED' }));
  });

  it('delivers the removal of the subscriber, then completes', async () => {
    const node = await startNode();
    const bob$ = follow(node, await tokenOf(bob), { boardId: board.boardId, afterRevision: 1 });
    await vi.waitFor(() => expect(bob$.revisions()).toEqual([2]));
    const removal = board.emit({ type: 'MemberRemoved', data: { userId: bob.id } });
    await node.server.publish(await write([removal, ...renames(board, 1)]));
    await vi.waitFor(() => expect(bob$.completed()).toBe(true));
    expect(bob$.received.slice(1)).toEqual([
      expect.objectContaining({ revision: removal.revision, type: 'MemberRemoved' }),
    ]);
  });

  it('does not end on a removal the catch-up shows undone by a later re-add', async () => {
    const node = await startNode();
    await write([board.emit({ type: 'MemberRemoved', data: { userId: bob.id } }), board.addMember(bob.id)]); // 3, 4
    const bob$ = follow(node, await tokenOf(bob), { boardId: board.boardId, afterRevision: 2 });
    await node.server.publish(await write(renames(board, 1)));
    await vi.waitFor(() => expect(bob$.revisions()).toEqual([3, 4, 5]));
    expect(bob$.completed()).toBe(false);
  });
});

describe('GraphQL boardEvents across realtime nodes over Redis', () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  beforeEach(async () => {
    redis = await createTestRedis('gqlsubs');
  });
  afterEach(async () => {
    for (const dispose of disposers.splice(0)) dispose();
    for (const node of nodes.splice(0)) await node.server.close();
    for (const client of clients.splice(0)) client.disconnect();
    await redis.cleanup();
  });

  async function clusterNode(name: string): Promise<Node> {
    const pub = createRedisClient({ url: redis.url, name: `${name}-pub` });
    const sub = createRedisClient({ url: redis.url, name: `${name}-sub`, role: 'subscriber' });
    clients.push(pub, sub);
    await Promise.all([redisReady(pub), redisReady(sub)]);
    return startNode({ adapter: createRedisAdapter(pub, sub, { key: `${redis.prefix}socket.io` }) });
  }

  it('reaches a subscriber on node B with the events node A consumed', async () => {
    const [nodeA, nodeB] = [await clusterNode('a'), await clusterNode('b')];
    await vi.waitFor(async () => expect(await nodeB.server.io.of('/').adapter.serverCount()).toBe(2));
    const bob$ = follow(nodeB, await tokenOf(bob), { boardId: board.boardId, afterRevision: 1 });
    await vi.waitFor(() => expect(bob$.revisions()).toEqual([2]));
    // Published on A only, and not in the store yet: the events can only have come through Redis.
    const live = renames(board, 2);
    await nodeA.server.publish(live);
    await vi.waitFor(() => expect(bob$.revisions()).toEqual([2, 3, 4]));
  });

  /** The batches a node forwarded to the others for their GraphQL followers. */
  function forwarded(node: Node): Envelope[][] {
    const batches: Envelope[][] = [];
    const io = node.server.io;
    const original = io.serverSideEmit.bind(io);
    vi.spyOn(io, 'serverSideEmit').mockImplementation((event, ...args) => {
      if (event === 'board:feed') batches.push(args[0] as Envelope[]);
      return original(event, ...(args as [never]));
    });
    return batches;
  }

  it('forwards only the boards another node follows, from its follow until its end', async () => {
    const [nodeA, nodeB] = [await clusterNode('a'), await clusterNode('b')];
    await vi.waitFor(async () => expect(await nodeB.server.io.of('/').adapter.serverCount()).toBe(2));
    const sent = forwarded(nodeA);
    const other = new BoardStream({ ownerId: owner.id });
    await write([...other.create(), ...renames(board, 1)]); // the board's revision 3
    // Nobody follows anything: no publish for GraphQL at all.
    await nodeA.server.publish(await write([...renames(other, 1), ...renames(board, 1)]));
    expect(sent).toEqual([]);
    const bob$ = follow(nodeB, await tokenOf(bob), { boardId: board.boardId, afterRevision: 1 });
    await vi.waitFor(() => expect(bob$.revisions()).toEqual([2, 3, 4]));
    // Now only the followed board's events go out, and they arrive (not in the store: through Redis).
    await nodeA.server.publish([...renames(other, 1), ...renames(board, 1)]);
    await vi.waitFor(() => expect(bob$.revisions()).toEqual([2, 3, 4, 5]));
    expect(sent.map((batch) => batch.map((event) => [event.boardId, event.revision]))).toEqual([[[board.boardId, 5]]]);
    // Bob's follow ends: node A stops forwarding once B told it.
    disposers.splice(0).forEach((dispose) => dispose());
    await vi.waitFor(async () => {
      sent.length = 0;
      await nodeA.server.publish(renames(board, 1));
      expect(sent).toEqual([]);
    });
  });

  it('tells a node that starts later what the others follow, and forwards everything until it knows', async () => {
    const [nodeA, nodeB] = [await clusterNode('a'), await clusterNode('b')];
    await vi.waitFor(async () => expect(await nodeB.server.io.of('/').adapter.serverCount()).toBe(2));
    const bob$ = follow(nodeB, await tokenOf(bob), { boardId: board.boardId, afterRevision: 1 });
    await vi.waitFor(() => expect(bob$.revisions()).toEqual([2]));
    const nodeC = await clusterNode('c');
    const sent = forwarded(nodeC);
    // Whatever C consumes for Bob's board reaches Bob, whether C has asked the others yet or not.
    await nodeC.server.publish(renames(board, 2));
    await vi.waitFor(() => expect(bob$.revisions()).toEqual([2, 3, 4]));
    // Once C knows, it forwards the followed board only.
    const other = new BoardStream({ ownerId: owner.id });
    await write(other.create());
    await vi.waitFor(async () => {
      sent.length = 0;
      await nodeC.server.publish([...renames(other, 1), ...renames(board, 1)]);
      expect(sent.flat().map((event) => event.boardId)).toEqual([board.boardId]);
    });
    await vi.waitFor(() => expect(bob$.revisions().at(-1)).toBeGreaterThanOrEqual(5));
    void nodeA;
  });
});
