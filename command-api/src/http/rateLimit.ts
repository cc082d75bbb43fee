import { DomainError } from '@primetrade/domain';
import type { RateLimiter } from '@primetrade/platform';
import type { Middleware } from 'koa';
import type { AppContext, AppState } from './state.js';

/**
 * The keys a request is charged to; every key must have budget left. `null` or an empty list
 * skips the limit (e.g. no user on the context).
 */
export type RateLimitKeyOf = (ctx: AppContext) => readonly string[] | string | null;

/**
 * 429 RATE_LIMITED with `Retry-After` (whole seconds, rounded up) once a key's window is spent;
 * `RateLimit-Limit` / `RateLimit-Remaining` on every answer (the tightest key's numbers).
 */
export function rateLimit(limiter: RateLimiter, keyOf: RateLimitKeyOf): Middleware<AppState> {
  return async (ctx, next) => {
    const found = keyOf(ctx);
    const keys = found === null ? [] : typeof found === 'string' ? [found] : found;
    if (keys.length === 0) {
      await next();
      return;
    }
    const results = await Promise.all(keys.map((key) => limiter.consume(key)));
    const tightest = results.reduce((a, b) => (b.remaining < a.remaining || !b.allowed ? b : a));
    ctx.set('RateLimit-Limit', String(tightest.limit));
    ctx.set('RateLimit-Remaining', String(tightest.remaining));
    const refused = results.filter((result) => !result.allowed);
    if (refused.length > 0) {
      const waitMs = Math.max(...refused.map((result) => result.retryAfterMs));
      ctx.set('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
      throw new DomainError('RATE_LIMITED', 'Too many requests; retry later');
    }
    await next();
  };
}

/** The client address (behind a trusted proxy, Koa reads X-Forwarded-For when `app.proxy`). */
export const clientIp = (ctx: AppContext): string => ctx.ip || 'unknown';
