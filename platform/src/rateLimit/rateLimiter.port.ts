/** Rate limiting (docs/api.md: 429 with Retry-After). Adapters: in memory (embedded), Redis (cluster). */
export interface RateLimitResult {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** 0 when allowed; otherwise how long until a request of the same size can pass. */
  readonly retryAfterMs: number;
}

export interface RateLimiter {
  /** Takes `points` (default 1) from `key`'s budget; a refused request takes nothing. */
  consume(key: string, points?: number): Promise<RateLimitResult>;
}
