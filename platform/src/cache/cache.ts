import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../observability/logger.js';

/**
 * A cache of computed text (JSON) with a time to live: in memory for one process, in Redis for a
 * cluster. It never fails its caller: an unreachable or slow Redis is a miss, and a failed write
 * is dropped, so callers compute instead (what is cached can always be computed again).
 */
export interface TextCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

export interface MemoryCacheOptions {
  /** Entries kept at most; the least recently used goes first. Default 1000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export function createMemoryCache(options: MemoryCacheOptions = {}): TextCache {
  const clock = options.now ?? Date.now;
  // The least recently used entry goes first; `perf` lets tests move time, `ttlResolution: 0` reads it on every call.
  const entries = new LRUCache<string, string>({
    max: options.maxEntries ?? 1000,
    ttlResolution: 0,
    perf: { now: clock },
  });
  return {
    get: async (key) => entries.get(key) ?? null,
    async set(key, value, ttlMs) {
      entries.set(key, value, { ttl: Math.max(1, ttlMs) });
    },
  };
}

export interface RedisCacheOptions {
  /** A `commands`-role client (fails fast while Redis is down). */
  readonly client: Redis;
  /** Prepended to every key, e.g. `pt:cache:`. */
  readonly keyPrefix: string;
  /** A Redis answer slower than this is a miss. Default 100 ms. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

export function createRedisCache(options: RedisCacheOptions): TextCache {
  const timeoutMs = options.timeoutMs ?? 100;
  let warned = false;
  /** The call's result, or null when Redis fails or is too slow; one warning per outage. */
  async function attempt<T>(call: () => Promise<T>): Promise<T | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis in ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const result = await Promise.race([call(), timeout]);
      warned = false;
      return result;
    } catch (error) {
      if (!warned) options.logger?.warn({ err: error }, 'cache: Redis unavailable, computing instead');
      warned = true;
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    get: (key) => attempt(() => options.client.get(options.keyPrefix + key)),
    async set(key, value, ttlMs) {
      await attempt(() => options.client.set(options.keyPrefix + key, value, 'PX', Math.max(1, Math.round(ttlMs))));
    },
  };
}
