import { createMemoryCache } from './cache.js';
import { textCacheContract } from './textCache.contractSuite.js';

textCacheContract('in memory', async () => {
  let now = 1_000;
  return {
    cache: createMemoryCache({ now: () => now }),
    passTime: async (ms) => {
      now += ms;
    },
    cleanup: async () => undefined,
  };
});
