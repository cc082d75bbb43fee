import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { boardRoom, userRoom } from '@primetrade/domain';
import {
  createRedisClient,
  createTestRedis,
  redisReady,
  unusedPort,
  type Redis,
  type TestRedis,
} from '@primetrade/platform';
import { createRedisAdapter } from './redisAdapter.js';
import { createRedisPresenceStore, type RedisPresenceStore } from './redisPresenceStore.js';
import { createRedisRemovals } from './removals.js';
import {
  createMembership,
  envelope,
  join,
  newUser,
  record,
  startRealtime,
  type Harness,
  type TestUser,
} from './realtime.testkit.js';

const idle = (user: TestUser) => ({ userId: user.id, name: user.name, taskId: null, editing: false });

describe('Realtime cluster over Redis', () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  const stores: RedisPresenceStore[] = [];
  const nodes: Harness[] = [];
  const membership = createMembership();
  const board = randomUUID();
  let ada: TestUser;
  let bob: TestUser;

  /** One realtime node with the cluster pieces on Redis, all under the test's key prefix. */
  async function startNode(name: string): Promise<Harness> {
    const pub = createRedisClient({ url: redis.url, name: `${name}-pub` });
    const sub = createRedisClient({ url: redis.url, name: `${name}-sub`, role: 'subscriber' });
    clients.push(pub, sub);
    await Promise.all([redisReady(pub), redisReady(sub)]);
    const presenceStore = createRedisPresenceStore(pub, { prefix: redis.prefix });
    stores.push(presenceStore);
    const node = await startRealtime({
      membership,
      cluster: {
        adapter: createRedisAdapter(pub, sub, { key: `${redis.prefix}socket.io` }),
        presenceStore,
        removals: createRedisRemovals(pub, { prefix: redis.prefix }),
      },
    });
    nodes.push(node);
    return node;
  }

  let nodeA: Harness;
  let nodeB: Harness;
  beforeEach(async () => {
    redis = await createTestRedis('adapter');
    nodeA = await startNode('a');
    nodeB = await startNode('b');
    // Both adapters have subscribed once each sees two servers.
    await vi.waitFor(async () => {
      expect(await nodeA.server.io.of('/').adapter.serverCount()).toBe(2);
      expect(await nodeB.server.io.of('/').adapter.serverCount()).toBe(2);
    });
    ada = newUser('Ada');
    bob = newUser('Bob');
    membership.grant(board, ada.id);
    membership.grant(board, bob.id);
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    for (const store of stores.splice(0)) store.close();
    for (const client of clients.splice(0)) client.disconnect();
    await redis.cleanup();
  });

  describe('when node A emits to a board room', () => {
    it('reaches a client connected to node B', async () => {
      const bobClient = await nodeB.connect(bob);
      const bob$ = record(bobClient);
      expect(await join(bobClient, { boardId: board })).toMatchObject({ ok: true });
      await nodeA.server.publish([envelope(board, 1), envelope(board, 2)]);
      await vi.waitFor(() => expect(bob$.batches).toEqual([{ boardId: board, revisions: [1, 2] }]));
    });
  });

  describe('when node A makes a user’s sockets leave a board room', () => {
    it('removes the socket connected to node B from the room', async () => {
      const bobClient = await nodeB.connect(bob);
      const adaClient = await nodeA.connect(ada);
      const bob$ = record(bobClient);
      const ada$ = record(adaClient);
      await join(bobClient, { boardId: board });
      await join(adaClient, { boardId: board });
      const roomOnB = () => nodeB.server.io.of('/').adapter.rooms.get(boardRoom(board));
      expect(roomOnB()?.has(bobClient.id ?? '')).toBe(true);

      nodeA.server.io.in(userRoom(bob.id)).socketsLeave(boardRoom(board));
      await vi.waitFor(() => expect(roomOnB()?.has(bobClient.id ?? '') ?? false).toBe(false));

      await nodeA.server.publish([envelope(board, 3)]);
      await vi.waitFor(() => expect(ada$.batches).toEqual([{ boardId: board, revisions: [3] }]));
      expect(bob$.batches).toEqual([]);
    });
  });

  describe('when node A fans out a member removal the read model does not show yet', () => {
    it('drops the member’s socket on node B and refuses their rejoin there', async () => {
      const bobClient = await nodeB.connect(bob);
      await join(bobClient, { boardId: board });
      membership.setRevision(board, 4);
      await nodeA.server.publish([envelope(board, 5, { type: 'MemberRemoved', data: { userId: bob.id } })]);
      await vi.waitFor(() =>
        expect(
          nodeB.server.io
            .of('/')
            .adapter.rooms.get(boardRoom(board))
            ?.has(bobClient.id ?? '') ?? false,
        ).toBe(false),
      );
      // The read model still says "member at revision 4"; node B knows better through Redis.
      expect(await join(bobClient, { boardId: board })).toMatchObject({ ok: false, code: 'BOARD.NOT_FOUND' });

      await nodeA.server.publish([
        envelope(board, 6, { type: 'MemberAdded', data: { userId: bob.id, role: 'editor' } }),
      ]);
      expect(await join(bobClient, { boardId: board })).toMatchObject({ ok: true });
    });
  });

  describe('when members watch the board through different nodes', () => {
    it('shows every member to every member', async () => {
      const adaClient = await nodeA.connect(ada);
      const bobClient = await nodeB.connect(bob);
      const ada$ = record(adaClient);
      const bob$ = record(bobClient);
      await join(adaClient, { boardId: board });
      await join(bobClient, { boardId: board });
      await vi.waitFor(() => expect(ada$.lastPresence()).toEqual([idle(ada), idle(bob)]));
      await vi.waitFor(() => expect(bob$.lastPresence()).toEqual([idle(ada), idle(bob)]));
      bobClient.disconnect();
      await vi.waitFor(() => expect(ada$.lastPresence()).toEqual([idle(ada)]));
    });
  });
});

describe('Realtime node whose Redis is down', () => {
  it('still serves its own sockets, and logs the lost publishes once instead of crashing', async () => {
    const warnings: string[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          warnings.push((JSON.parse(chunk.toString('utf8')) as { msg: string }).msg);
          callback();
        },
      }),
    );
    const url = `redis://127.0.0.1:${await unusedPort()}`;
    const pub = createRedisClient({ url, name: 'down-pub' });
    const sub = createRedisClient({ url, name: 'down-sub', role: 'subscriber' });
    const node = await startRealtime({ cluster: { adapter: createRedisAdapter(pub, sub, { logger }) } });
    try {
      const board = randomUUID();
      const ada = newUser('Ada');
      node.membership.grant(board, ada.id);
      const adaClient = await node.connect(ada);
      const ada$ = record(adaClient);
      await join(adaClient, { boardId: board });
      await node.server.publish([envelope(board, 1)]);
      await node.server.publish([envelope(board, 2)]);
      await vi.waitFor(() => expect(ada$.batches.map((batch) => batch.revisions)).toEqual([[1], [2]]));
      await vi.waitFor(() => expect(warnings.filter((message) => message.includes('publish failed'))).toHaveLength(1));
    } finally {
      await node.close();
      pub.disconnect();
      sub.disconnect();
    }
  });

  it('refuses joins it cannot check against shared removals, and still drops a removed member', async () => {
    const url = `redis://127.0.0.1:${await unusedPort()}`;
    const down = createRedisClient({ url, name: 'down-removals' });
    const node = await startRealtime({ cluster: { removals: createRedisRemovals(down, { prefix: 'unused:' }) } });
    try {
      const board = randomUUID();
      const [ada, bob] = [newUser('Ada'), newUser('Bob')];
      node.membership.grant(board, ada.id);
      node.membership.grant(board, bob.id);
      const adaClient = await node.connect(ada);
      expect(await join(adaClient, { boardId: board })).toMatchObject({ ok: false, code: 'SERVICE.UNAVAILABLE' });
      expect(node.server.io.of('/').adapter.rooms.has(boardRoom(board))).toBe(false);

      // Put Bob in the room directly (the join cannot pass): the removal must still take him out.
      const bobClient = await node.connect(bob);
      node.server.io.in(userRoom(bob.id)).socketsJoin(boardRoom(board));
      await expect(
        node.server.publish([envelope(board, 5, { type: 'MemberRemoved', data: { userId: bob.id } })]),
      ).rejects.toThrow();
      expect(
        node.server.io
          .of('/')
          .adapter.rooms.get(boardRoom(board))
          ?.has(bobClient.id ?? '') ?? false,
      ).toBe(false);
    } finally {
      await node.close();
      down.disconnect();
    }
  });

  it('refuses a subscriber connection that could lose its subscription', () => {
    const pub = createRedisClient({ url: 'redis://127.0.0.1:6379', name: 'check-pub' });
    const notSubscriber = createRedisClient({ url: 'redis://127.0.0.1:6379', name: 'check-sub' });
    try {
      expect(() => createRedisAdapter(pub, notSubscriber)).toThrow(/role: 'subscriber'/);
    } finally {
      pub.disconnect();
      notSubscriber.disconnect();
    }
  });
});
