import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from './memoryRateLimiter.js';

const fakeClock = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

// What every limiter promises is in rateLimiter.contractSuite.ts; these are the in-memory limiter's own.
describe('Memory rate limiter', () => {
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
