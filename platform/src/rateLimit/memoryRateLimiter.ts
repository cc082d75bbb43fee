import type { RateLimiter, RateLimitResult } from './rateLimiter.port.js';

export interface MemoryRateLimiterOptions {
  /** Points per window. */
  readonly points: number;
  readonly durationMs: number;
  readonly now?: () => number;
}

export interface MemoryRateLimiter extends RateLimiter {
  /** Keys currently held (bounded: expired windows are swept). */
  keyCount(): number;
}

interface Window {
  readonly startedAt: number;
  used: number;
}

/**
 * A fixed window per key, as rate-limiter-flexible's memory limiter does. Expired windows are swept at
 * most once per window, so memory stays bounded by the keys seen in the last two windows.
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions): MemoryRateLimiter {
  if (!(options.points > 0) || !(options.durationMs > 0))
    throw new RangeError('createMemoryRateLimiter: points and durationMs must be positive');
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();
  let lastSweep = now();

  function sweep(at: number): void {
    if (at - lastSweep < options.durationMs) return;
    lastSweep = at;
    for (const [key, window] of windows) {
      if (window.startedAt + options.durationMs <= at) windows.delete(key);
    }
  }

  return {
    keyCount: () => windows.size,
    async consume(key, points = 1): Promise<RateLimitResult> {
      const at = now();
      sweep(at);
      let window = windows.get(key);
      if (!window || window.startedAt + options.durationMs <= at) {
        window = { startedAt: at, used: 0 };
        windows.set(key, window);
      }
      const allowed = window.used + points <= options.points;
      if (allowed) window.used += points;
      return {
        allowed,
        limit: options.points,
        remaining: Math.max(0, options.points - window.used),
        retryAfterMs: allowed ? 0 : window.startedAt + options.durationMs - at,
      };
    },
  };
}
