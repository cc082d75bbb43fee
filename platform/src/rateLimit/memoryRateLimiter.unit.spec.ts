import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from './memoryRateLimiter.js';

const fakeClock = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('Memory rate limiter', () => {
  describe('within the budget', () => {
    it('allows requests and counts down what remains', async () => {
      const clock = fakeClock();
      const limiter = createMemoryRateLimiter({ points: 3, durationMs: 1_000, now: clock.now });
      expect(await limiter.consume('ip-1')).toEqual({ allowed: true, limit: 3, remaining: 2, retryAfterMs: 0 });
      expect(await limiter.consume('ip-1', 2)).toEqual({ allowed: true, limit: 3, remaining: 0, retryAfterMs: 0 });
    });
  });

  describe('when the budget is spent', () => {
    it('refuses, says when to retry, and takes nothing from the budget', async () => {
      const clock = fakeClock();
      const limiter = createMemoryRateLimiter({ points: 2, durationMs: 1_000, now: clock.now });
      await limiter.consume('ip-1', 2);
      clock.advance(400);
      expect(await limiter.consume('ip-1')).toEqual({ allowed: false, limit: 2, remaining: 0, retryAfterMs: 600 });
      clock.advance(600);
      expect((await limiter.consume('ip-1')).allowed).toBe(true);
    });

    it('keeps other keys untouched', async () => {
      const limiter = createMemoryRateLimiter({ points: 1, durationMs: 1_000, now: fakeClock().now });
      await limiter.consume('ip-1');
      expect((await limiter.consume('ip-1')).allowed).toBe(false);
      expect((await limiter.consume('ip-2')).allowed).toBe(true);
    });
  });

  describe('when many keys come and go', () => {
    it('sweeps expired windows, so memory stays bounded', async () => {
      const clock = fakeClock();
      const limiter = createMemoryRateLimiter({ points: 5, durationMs: 1_000, now: clock.now });
      for (let n = 0; n < 500; n += 1) await limiter.consume(`ip-${n}`);
      expect(limiter.keyCount()).toBe(500);
      clock.advance(1_001);
      await limiter.consume('late');
      expect(limiter.keyCount()).toBe(1);
    });
  });

  it('refuses a nonsensical configuration', () => {
    expect(() => createMemoryRateLimiter({ points: 0, durationMs: 1_000 })).toThrow(RangeError);
  });
});
