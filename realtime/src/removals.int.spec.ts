import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, createTestRedis, unusedPort, type TestRedis } from '@primetrade/platform';
import { describeRemovalsContract } from './removals.contractSuite.js';
import { createRedisRemovals } from './removals.js';

describe('Redis removals', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis('removals');
  });
  afterAll(async () => {
    await redis.cleanup();
  });

  describeRemovalsContract('Redis', () => createRedisRemovals(redis.client, { prefix: redis.prefix }), {
    shared: true,
  });

  it('stores one expiring key per removal under the prefix', async () => {
    const removals = createRedisRemovals(redis.client, { prefix: `${redis.prefix}ttl:`, ttlMs: 300 });
    const board = randomUUID();
    await removals.record(board, 'ada', 4);
    const key = `${redis.prefix}ttl:removal:${board}:ada`;
    expect(await redis.client.get(key)).toBe('4');
    const ttl = await redis.client.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await removals.pending(board, 'ada')).toBeNull();
  });

  it('refuses a bad TTL or revision, and fails (does not answer "no removal") while Redis is down', async () => {
    expect(() => createRedisRemovals(redis.client, { prefix: redis.prefix, ttlMs: 0 })).toThrow(RangeError);
    const removals = createRedisRemovals(redis.client, { prefix: redis.prefix });
    await expect(removals.record(randomUUID(), 'ada', -1)).rejects.toThrow(RangeError);
    const down = createRedisClient({ url: `redis://127.0.0.1:${await unusedPort()}`, name: 'removals-down' });
    try {
      await expect(createRedisRemovals(down, { prefix: redis.prefix }).pending(randomUUID(), 'ada')).rejects.toThrow();
    } finally {
      down.disconnect();
    }
  });
});
