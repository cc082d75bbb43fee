import { setTimeout as sleep } from 'node:timers/promises';
import { createTestRedis } from '../testkit/redis.testkit.js';
import { createRedisCache } from './cache.js';
import { textCacheContract } from './textCache.contractSuite.js';

textCacheContract('Redis', async () => {
  const redis = await createTestRedis('cache-contract');
  return {
    cache: createRedisCache({ client: redis.client, keyPrefix: redis.prefix, timeoutMs: 2_000 }),
    // Redis expires keys in real time.
    passTime: (ms) => sleep(ms),
    cleanup: () => redis.cleanup(),
  };
});
