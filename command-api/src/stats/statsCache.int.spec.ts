/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import {
  createRedisCache,
  createRedisClient,
  createTestRedis,
  unusedPort,
  type Redis,
  type TestRedis,
} from '@primetrade/platform';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  type BoardApiHarness,
  type BoardFixture,
} from '../boards/boardApi.testkit.js';
import { createStatsCache } from './statsCache.js';

describe('Statistics cached in Redis', () => {
  let redis: TestRedis;
  let api: BoardApiHarness;
  let board: BoardFixture;
  beforeAll(async () => {
    redis = await createTestRedis('stats-cache');
    api = await createBoardApiHarness({
      deps: { statsCache: createRedisCache({ client: redis.client, keyPrefix: redis.prefix }) },
    });
    board = await createBoardFixture(api);
  });
  afterAll(async () => {
    await api.close();
    await redis.cleanup();
  });

  const stats = () => api.request('GET', `/boards/${board.boardId}/stats`, { as: board.viewer });
  const boardKeys = async () => (await redis.keys()).filter((key) => key.includes(`board:${board.boardId}`)).sort();

  it('serves a repeated request from Redis, under a key with the board revision and the minute', async () => {
    const first = await stats();
    expect(first.status).toBe(200);
    const keys = await boardKeys();
    expect(keys).toEqual([
      `${redis.prefix}board:${board.boardId}:r${first.body.revision}:m${Math.floor(api.app.clock.now().getTime() / 60_000)}`,
    ]);
    const ttl = await redis.client.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    // What Redis holds is what is served: changed behind the app's back, the change shows.
    const planted = { ...first.body, unassigned: 4242 };
    await redis.client.set(keys[0]!, JSON.stringify(planted), 'PX', 60_000);
    expect((await stats()).body).toEqual(planted);
  });

  it('is never stale after a change: a new revision is a new key', async () => {
    const before = await stats();
    await api.request('POST', `/boards/${board.boardId}/tasks`, { as: board.editor, body: { title: 'New' } });
    const after = await stats();
    expect(after.body.revision).toBeGreaterThan(before.body.revision);
    expect(after.body.tasks.live).toBe(before.body.tasks.live + 1);
    expect(after.body.unassigned).not.toBe(4242);
    expect((await boardKeys()).some((key) => key.includes(`:r${after.body.revision}:`))).toBe(true);
  });

  it('moves to a new key every minute, so time-dependent figures are never older than that', async () => {
    const before = await stats();
    api.app.clock.advance(60_000);
    const after = await stats();
    expect(after.body.asOf).not.toBe(before.body.asOf);
  });
});

describe('Statistics when Redis is down', () => {
  const clients: Redis[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  it('the cache computes instead of failing, quickly', async () => {
    const client = createRedisClient({ url: `redis://127.0.0.1:${await unusedPort()}`, name: 'test-stats-down' });
    clients.push(client);
    const cache = createStatsCache(createRedisCache({ client, keyPrefix: 'pt:stats-down:' }));
    let computed = 0;
    const started = Date.now();
    for (let i = 0; i < 3; i++)
      expect(await cache.through('k', new Date(), async () => ({ n: ++computed }))).toEqual({ n: computed });
    expect(computed).toBe(3);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('the endpoints still answer 200 with the figures', async () => {
    const client = createRedisClient({ url: `redis://127.0.0.1:${await unusedPort()}`, name: 'test-stats-down-api' });
    clients.push(client);
    const api = await createBoardApiHarness({
      deps: { statsCache: createRedisCache({ client, keyPrefix: 'pt:stats-down:' }) },
    });
    try {
      const board = await createBoardFixture(api);
      await api.request('POST', `/boards/${board.boardId}/tasks`, { as: board.editor, body: { title: 'Counted' } });
      const response = await api.request('GET', `/boards/${board.boardId}/stats`, { as: board.viewer });
      expect(response.status).toBe(200);
      expect(response.body.tasks.live).toBe(1);
      expect((await api.request('GET', `/boards/${board.boardId}/stats/flow`, { as: board.viewer })).status).toBe(200);
      expect((await api.request('GET', '/me/stats', { as: board.viewer })).status).toBe(200);
    } finally {
      await api.close();
    }
  });
});
