import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRedisClient, redisReady, type Redis } from '../redis/redisClient.js';
import { createTestRedis, unusedPort, type TestRedis } from '../testkit/redis.testkit.js';
import { startTcpProxy } from '../testkit/tcpProxy.testkit.js';
import { createRedisRateLimiter, type RedisRateLimiter } from './redisRateLimiter.js';

/** A logger whose records the test can read. */
function capturingLogger() {
  const records: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) records.push(JSON.parse(line) as { level: number; msg: string });
      callback();
    },
  });
  return {
    logger: pino({ level: 'info' }, stream),
    messages: (part: string) => records.filter((record) => record.msg.includes(part)),
  };
}

describe('Redis rate limiter', () => {
  let redis: TestRedis;
  const limiters: RedisRateLimiter[] = [];
  const clients: Redis[] = [];
  const limiter = (
    options: Omit<Parameters<typeof createRedisRateLimiter>[0], 'client' | 'keyPrefix'> & { client?: Redis },
  ) => {
    const created = createRedisRateLimiter({ client: redis.client, keyPrefix: `${redis.prefix}api`, ...options });
    limiters.push(created);
    return created;
  };
  beforeEach(async () => {
    redis = await createTestRedis('rate-limiter');
  });
  afterEach(async () => {
    for (const created of limiters.splice(0)) created.close();
    for (const client of clients.splice(0)) client.disconnect();
    await redis.cleanup();
  });

  // What every limiter promises (budget, refusals that take nothing, keys apart, shared budget,
  // new window) is in rateLimiter.contractSuite.ts, run on Redis by rateLimiter.contract.int.spec.ts.
  it('stores the window under the key prefix with its expiry', async () => {
    const limits = limiter({ points: 3, durationMs: 10_000 });
    await limits.consume('ip-1', 3);
    expect(await redis.keys()).toEqual([`${redis.prefix}api:ip-1`]);
    expect(await redis.client.get(`${redis.prefix}api:ip-1`)).toBe('3');
    const ttl = await redis.client.pttl(`${redis.prefix}api:ip-1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
    expect(limits.mode()).toBe('redis');
  });

  describe('when Redis is unreachable', () => {
    it('keeps answering from an in-memory budget of the same size, fails fast once the breaker opens, and logs once', async () => {
      const { logger, messages } = capturingLogger();
      const client = createRedisClient({ url: `redis://127.0.0.1:${await unusedPort()}`, name: 'rate-limit-down' });
      clients.push(client);
      const limits = limiter({
        client,
        points: 3,
        durationMs: 10_000,
        logger,
        breaker: { volumeThreshold: 2, resetTimeoutMs: 60_000 },
      });

      const started = Date.now();
      expect(await limits.consume('ip-1', 2)).toEqual({ allowed: true, limit: 3, remaining: 1, retryAfterMs: 0 });
      expect((await limits.consume('ip-1', 2)).allowed).toBe(false);
      expect(await limits.consume('ip-1')).toEqual({ allowed: true, limit: 3, remaining: 0, retryAfterMs: 0 });
      for (let n = 0; n < 20; n += 1) expect((await limits.consume('ip-1')).allowed).toBe(false);
      expect(Date.now() - started).toBeLessThan(1_000);

      expect(limits.mode()).toBe('memory');
      expect(limits.breakerState()).toBe('open');
      expect(messages('Redis unavailable')).toHaveLength(1);
    });

    it('refuses nonsensical options and points at once, without touching any store', async () => {
      expect(() => limiter({ points: 0, durationMs: 1_000 })).toThrow(RangeError);
      expect(() => limiter({ points: 5, durationMs: 1_500 })).toThrow(/whole number of seconds/);
      const limits = limiter({ points: 5, durationMs: 1_000 });
      await expect(limits.consume('ip-1', 1.5)).rejects.toThrow(RangeError);
      expect(limits.mode()).toBe('redis');
    });
  });

  describe('when Redis goes away and comes back', () => {
    it('falls back to memory while it is gone and shares the budget through Redis again afterwards', async () => {
      const { logger, messages } = capturingLogger();
      const proxy = await startTcpProxy(Number(new URL(redis.url).port || 6379));
      const client = createRedisClient({ url: `redis://127.0.0.1:${proxy.port}`, name: 'rate-limit-flaky' });
      clients.push(client);
      try {
        await redisReady(client);
        const limits = limiter({
          client,
          points: 5,
          durationMs: 10_000,
          logger,
          breaker: { volumeThreshold: 1, resetTimeoutMs: 200 },
        });
        expect(await limits.consume('ip-1')).toMatchObject({ allowed: true, remaining: 4 });

        proxy.cut();
        await vi.waitFor(() => expect(client.status).not.toBe('ready'));
        expect(await limits.consume('ip-1')).toMatchObject({ allowed: true, remaining: 4 });
        expect(limits.mode()).toBe('memory');

        proxy.restore();
        await redisReady(client, 10_000);
        await vi.waitFor(
          async () => {
            expect(await limits.consume('ip-1')).toMatchObject({ allowed: true });
            expect(limits.mode()).toBe('redis');
          },
          { timeout: 5_000, interval: 100 },
        );
        expect(Number(await redis.client.get(`${redis.prefix}api:ip-1`))).toBeGreaterThanOrEqual(2);
        expect(messages('Redis unavailable')).toHaveLength(1);
        expect(messages('Redis answers again')).toHaveLength(1);
      } finally {
        await proxy.close();
      }
    });
  });
});
