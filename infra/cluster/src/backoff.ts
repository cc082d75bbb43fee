/**
 * Restart delays of a crashed service: `initialMs` doubling up to `maxMs`; a service that stayed
 * up `resetAfterMs` starts over from `initialMs` (a crash a day is not a crash loop).
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly resetAfterMs: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 250, maxMs: 10_000, resetAfterMs: 30_000 };

export interface Backoff {
  /** The delay before the next start, given how long the last run lasted. */
  next(uptimeMs: number): number;
}

export function createBackoff(policy: BackoffPolicy = defaultBackoff): Backoff {
  let failures = 0;
  return {
    next(uptimeMs) {
      if (uptimeMs >= policy.resetAfterMs) failures = 0;
      const delay = Math.min(policy.maxMs, policy.initialMs * 2 ** failures);
      failures += 1;
      return delay;
    },
  };
}
