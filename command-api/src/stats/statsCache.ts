import type { TextCache } from '@primetrade/platform';

/**
 * Computed statistics by key, through a `TextCache`. Keys carry what the figures depend on (the
 * projected board revision, the minute of the clock), so an entry is never served after a change:
 * a new revision is a new key. Entries live until the end of their minute at most, which is also
 * how long time-dependent figures (overdue, due soon, the last 7/30 days) may be reused.
 */
export interface StatsCache {
  /** The cached value of `key`, or `compute()`'s (then cached until the end of `now`'s minute). */
  through<T>(key: string, now: Date, compute: () => Promise<T>): Promise<T>;
}

export interface StatsCacheCounters {
  hit(): void;
  miss(): void;
}

export const minuteOf = (now: Date): number => Math.floor(now.getTime() / 60_000);

export function createStatsCache(cache: TextCache, counters?: StatsCacheCounters): StatsCache {
  return {
    async through(key, now, compute) {
      const fullKey = `${key}:m${minuteOf(now)}`;
      const cached = await cache.get(fullKey);
      if (cached !== null) {
        counters?.hit();
        return JSON.parse(cached) as Awaited<ReturnType<typeof compute>>;
      }
      counters?.miss();
      const value = await compute();
      const untilNextMinute = (minuteOf(now) + 1) * 60_000 - now.getTime();
      await cache.set(fullKey, JSON.stringify(value), untilNextMinute);
      return value;
    },
  };
}
