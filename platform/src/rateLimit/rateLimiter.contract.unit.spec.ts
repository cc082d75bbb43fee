import { createMemoryRateLimiter } from './memoryRateLimiter.js';
import { rateLimiterContract } from './rateLimiter.contractSuite.js';

rateLimiterContract('in memory', async ({ points, durationMs }) => {
  let now = 1_000_000;
  const limiter = createMemoryRateLimiter({ points, durationMs, now: () => now });
  return {
    limiter,
    passTime: async (ms) => {
      now += ms;
    },
    cleanup: async () => undefined,
  };
});
