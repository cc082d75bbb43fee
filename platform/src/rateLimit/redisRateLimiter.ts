import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createBreaker, type BreakerOptions, type BreakerState } from '../resilience/breaker.js';
import { createMemoryRateLimiter } from './memoryRateLimiter.js';
import type { RateLimiter, RateLimitResult } from './rateLimiter.port.js';

export interface RedisRateLimiterOptions {
  readonly client: Redis;
  /** Points per window, shared by every node. */
  readonly points: number;
  /** A whole number of seconds (Redis expiry granularity of rate-limiter-flexible). */
  readonly durationMs: number;
  /** Keys are `<keyPrefix>:<key>`. Default `ratelimit`. */
  readonly keyPrefix?: string;
  readonly logger?: Logger;
  readonly metrics?: Pick<Metrics, 'breakerState'>;
  /** Breaker tuning; the default timeout is 500 ms (a rate check sits in front of every request). */
  readonly breaker?: Omit<BreakerOptions, 'metrics' | 'isExpectedError'>;
  /** Answers while Redis cannot; default an in-memory limiter with the same budget. */
  readonly fallback?: RateLimiter;
}

export type RateLimiterMode = 'redis' | 'memory';

export interface RedisRateLimiter extends RateLimiter {
  /** Which store answered the last call. */
  mode(): RateLimiterMode;
  breakerState(): BreakerState;
  /** Stops the breaker's timers. The Redis client belongs to the caller. */
  close(): void;
}

/**
 * rate-limiter-flexible's script adds first and checks after, so a refused request still spends
 * points. The port says a refused request takes nothing: add only when the total stays within the
 * limit, and report what the total would have been (rate-limiter-flexible refuses when it exceeds
 * `points`). ARGV: points to take, window seconds, limit.
 */
const takeIfWithinLimit = `redis.call('set', KEYS[1], 0, 'EX', ARGV[2], 'NX')
local used = tonumber(redis.call('get', KEYS[1]))
local ttl = redis.call('pttl', KEYS[1])
if ttl == -1 then
  redis.call('expire', KEYS[1], ARGV[2])
  ttl = 1000 * ARGV[2]
end
local wanted = used + tonumber(ARGV[1])
if wanted <= tonumber(ARGV[3]) then redis.call('incrby', KEYS[1], ARGV[1]) end
return {wanted, ttl}`;

/**
 * The shared budget of cluster mode (docs/api.md: 429 with Retry-After) on rate-limiter-flexible's
 * RateLimiterRedis, behind a breaker.
 *
 * Policy while Redis is down (error, timeout, or breaker open): the API keeps answering, and each
 * node enforces the same budget on its own in memory. Limits then loosen to at most
 * `nodes × points` per window, which beats refusing every request (fail closed) or dropping the
 * limit (fail open). The switch is logged once each way. The breaker keeps a dead Redis from
 * adding its timeout to every request; after `resetTimeoutMs` one trial call goes back to Redis.
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RedisRateLimiter {
  const { points, durationMs, logger } = options;
  if (!Number.isInteger(points) || points <= 0)
    throw new RangeError('createRedisRateLimiter: points must be a positive integer');
  if (!Number.isInteger(durationMs) || durationMs < 1_000 || durationMs % 1_000 !== 0) {
    throw new RangeError('createRedisRateLimiter: durationMs must be a whole number of seconds (1000, 2000, …)');
  }
  const keyPrefix = options.keyPrefix ?? 'ratelimit';
  if (keyPrefix === '') throw new RangeError('createRedisRateLimiter: keyPrefix must not be empty');

  const redisLimiter = new RateLimiterRedis({
    storeClient: options.client,
    keyPrefix,
    points,
    duration: durationMs / 1_000,
    customIncrTtlLuaScript: takeIfWithinLimit,
    // Fail at once instead of queueing when the connection is not ready.
    rejectIfRedisNotReady: true,
  });

  // A refusal is an answer, not a failure: only store errors reach the breaker.
  async function consumeOnRedis(key: string, taken: number): Promise<RateLimitResult> {
    try {
      const res = await redisLimiter.consume(key, taken);
      return { allowed: true, limit: points, remaining: res.remainingPoints, retryAfterMs: 0 };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const used = rejection.consumedPoints - taken;
      return {
        allowed: false,
        limit: points,
        remaining: Math.max(0, points - used),
        retryAfterMs: Math.max(1, rejection.msBeforeNext),
      };
    }
  }

  const breaker = createBreaker('redis-rate-limiter', consumeOnRedis, {
    timeoutMs: 500,
    ...options.breaker,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const fallback = options.fallback ?? createMemoryRateLimiter({ points, durationMs });
  let mode: RateLimiterMode = 'redis';

  return {
    mode: () => mode,
    breakerState: () => breaker.state(),
    close: () => breaker.shutdown(),
    async consume(key, taken = 1) {
      if (!Number.isInteger(taken) || taken <= 0)
        throw new RangeError('RedisRateLimiter.consume: points must be a positive integer');
      try {
        const result = await breaker.fire(key, taken);
        if (mode === 'memory')
          logger?.info({ keyPrefix }, 'rate limiter: Redis answers again, budgets are shared again');
        mode = 'redis';
        return result;
      } catch (error) {
        if (mode === 'redis') {
          logger?.warn(
            { err: error, keyPrefix },
            'rate limiter: Redis unavailable, each node now limits on its own in memory',
          );
        }
        mode = 'memory';
        return fallback.consume(key, taken);
      }
    },
  };
}
