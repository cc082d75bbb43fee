import { describe, expect, it } from 'vitest';
import type { RateLimiter } from './rateLimiter.port.js';

/** One limiter under test, with a way to let its window pass (a fake clock, or real time for Redis). */
export interface RateLimiterUnderTest {
  readonly limiter: RateLimiter;
  /** Lets `ms` pass for the limiter. */
  readonly passTime: (ms: number) => Promise<void>;
  /** A second limiter sharing the first one's budget (another node), when the adapter shares budgets. */
  readonly peer?: RateLimiter;
  readonly cleanup: () => Promise<void>;
}

/** Builds a fresh limiter with `points` per window of `durationMs` (a whole number of seconds). */
export type MakeRateLimiter = (options: {
  readonly points: number;
  readonly durationMs: number;
}) => Promise<RateLimiterUnderTest>;

/**
 * What every rate limiter adapter promises (the port in rateLimiter.port.ts), run on each one:
 * the in-memory limiter of embedded mode and the Redis limiter of cluster mode.
 */
export function rateLimiterContract(adapter: string, make: MakeRateLimiter): void {
  describe(`rate limiter contract: ${adapter}`, () => {
    async function withLimiter(
      points: number,
      durationMs: number,
      test: (subject: RateLimiterUnderTest) => Promise<void>,
    ): Promise<void> {
      const subject = await make({ points, durationMs });
      try {
        await test(subject);
      } finally {
        await subject.cleanup();
      }
    }

    it('allows requests within the budget and counts down what remains', () =>
      withLimiter(3, 10_000, async ({ limiter }) => {
        expect(await limiter.consume('key-1')).toEqual({ allowed: true, limit: 3, remaining: 2, retryAfterMs: 0 });
        expect(await limiter.consume('key-1', 2)).toEqual({ allowed: true, limit: 3, remaining: 0, retryAfterMs: 0 });
      }));

    it('refuses a request over the budget, says when to retry within the window, and takes nothing', () =>
      withLimiter(3, 10_000, async ({ limiter }) => {
        await limiter.consume('key-1', 2);
        const refused = await limiter.consume('key-1', 2);
        expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 1 });
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(10_000);
        expect(await limiter.consume('key-1')).toEqual({ allowed: true, limit: 3, remaining: 0, retryAfterMs: 0 });
      }));

    it('keeps each key to its own budget', () =>
      withLimiter(1, 10_000, async ({ limiter }) => {
        expect((await limiter.consume('key-1')).allowed).toBe(true);
        expect((await limiter.consume('key-1')).allowed).toBe(false);
        expect((await limiter.consume('key-2')).allowed).toBe(true);
      }));

    it('allows exactly the budget when many requests arrive at once', () =>
      withLimiter(10, 10_000, async ({ limiter }) => {
        const results = await Promise.all(Array.from({ length: 25 }, () => limiter.consume('key-1')));
        expect(results.filter((result) => result.allowed)).toHaveLength(10);
      }));

    it('gives the whole budget back once the window has passed', () =>
      withLimiter(2, 1_000, async ({ limiter, passTime }) => {
        await limiter.consume('key-1', 2);
        const refused = await limiter.consume('key-1');
        expect(refused.allowed).toBe(false);
        await passTime(refused.retryAfterMs);
        expect(await limiter.consume('key-1', 2)).toMatchObject({ allowed: true, remaining: 0 });
      }));

    it('shares the budget with a peer when the adapter is shared between nodes', () =>
      withLimiter(2, 10_000, async ({ limiter, peer }) => {
        if (!peer) return;
        expect((await limiter.consume('user-1')).allowed).toBe(true);
        expect((await peer.consume('user-1')).allowed).toBe(true);
        expect((await limiter.consume('user-1')).allowed).toBe(false);
        expect((await peer.consume('user-1')).allowed).toBe(false);
      }));
  });
}
