import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PresenceUser } from '@primetrade/domain';
import { createTestRedis, type TestRedis } from '@primetrade/platform';
import { describePresenceStoreContract } from './presenceStore.contractSuite.js';
import { createRedisPresenceStore, type RedisPresenceStore } from './redisPresenceStore.js';

const user = (name: string): PresenceUser => ({ userId: randomUUID(), name, taskId: null, editing: false });

describe('Redis presence store', () => {
  let redis: TestRedis;
  const stores: RedisPresenceStore[] = [];
  let namespaces = 0;
  /** A store in a key space of its own under the test prefix (the contract reuses board ids). */
  const createStore = (
    prefix = `${redis.prefix}${(namespaces += 1)}:`,
    options: { ttlMs?: number; refreshEveryMs?: number } = {},
  ) => {
    const store = createRedisPresenceStore(redis.client, { prefix, ...options });
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    redis = await createTestRedis('presence');
  });
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
  });
  afterAll(async () => {
    await redis.cleanup();
  });

  describePresenceStoreContract('Redis', () => createStore());

  describe('with two realtime nodes', () => {
    it('lists the same users on both, each in the place of their oldest entry and showing their latest', async () => {
      const prefix = `${redis.prefix}shared:`;
      const nodeA = createStore(prefix);
      const nodeB = createStore(prefix);
      const board = randomUUID();
      const ada = user('Ada');
      const bob = user('Bob');
      await nodeA.put(board, 'a1', ada);
      await nodeB.put(board, 'b1', bob);
      await nodeB.put(board, 'b2', { ...ada, editing: true });
      expect(await nodeA.list(board)).toEqual([{ ...ada, editing: true }, bob]);
      expect(await nodeB.list(board)).toEqual(await nodeA.list(board));
      await nodeA.removeUser(board, ada.userId);
      expect(await nodeB.list(board)).toEqual([bob]);
    });
  });

  describe('when a node dies without removing its entries', () => {
    it('stops listing them after the TTL, deletes them, and lets the board keys expire', async () => {
      const prefix = `${redis.prefix}dead:`;
      const board = randomUUID();
      const dying = createStore(prefix, { ttlMs: 400, refreshEveryMs: 100 });
      const alive = createStore(prefix, { ttlMs: 400, refreshEveryMs: 100 });
      const ada = user('Ada');
      const bob = user('Bob');
      await dying.put(board, 'd1', ada);
      await alive.put(board, 'a1', bob);
      dying.close();
      await sleep(200);
      expect(await alive.list(board)).toEqual([ada, bob]);
      await sleep(400);
      // `alive` kept refreshing its own entry; the dead node's entry went stale.
      expect(await alive.list(board)).toEqual([bob]);
      expect(await redis.client.hkeys(`${prefix}presence:${board}`)).toEqual(['a1']);
      alive.close();
      await sleep(500);
      expect(await redis.keys().then((keys) => keys.filter((key) => key.startsWith(prefix)))).toEqual([]);
    });

    it('forgets, rather than revives, an entry another node removed', async () => {
      const prefix = `${redis.prefix}revive:`;
      const board = randomUUID();
      const nodeA = createStore(prefix);
      const nodeB = createStore(prefix);
      const ada = user('Ada');
      await nodeA.put(board, 'a1', ada);
      await nodeB.removeUser(board, ada.userId);
      await nodeA.refresh();
      expect(await nodeA.list(board)).toEqual([]);
      expect(await redis.client.zcard(`${prefix}presence:${board}:seen`)).toBe(0);
    });
  });

  it('refuses a TTL it cannot keep fresh', () => {
    expect(() => createStore(undefined, { ttlMs: 0 })).toThrow(RangeError);
    expect(() => createStore(undefined, { ttlMs: 1_000, refreshEveryMs: 1_000 })).toThrow(RangeError);
  });
});
