import type { Redis } from 'ioredis';
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
  /** Entries kept at most; the oldest written goes first. Default 1000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export function createMemoryCache(options: MemoryCacheOptions = {}): TextCache {
  const maxEntries = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: string; expiresAt: number }>();
  return {
    async get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return null;
      if (entry.expiresAt > now()) return entry.value;
      entries.delete(key);
      return null;
    },
    async set(key, value, ttlMs) {
      entries.delete(key);
      entries.set(key, { value, expiresAt: now() + ttlMs });
      // Maps iterate in insertion order: the first keys are the oldest writes.
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
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
