import { setTimeout as sleep } from 'node:timers/promises';
import { createTestRedis } from '../testkit/redis.testkit.js';
import { rateLimiterContract } from './rateLimiter.contractSuite.js';
import { createRedisRateLimiter } from './redisRateLimiter.js';

rateLimiterContract('Redis', async ({ points, durationMs }) => {
  const redis = await createTestRedis('rate-limit-contract');
  const make = () =>
    createRedisRateLimiter({ client: redis.client, keyPrefix: `${redis.prefix}limits`, points, durationMs });
  const limiter = make();
  const peer = make();
  return {
    limiter,
    peer,
    // Redis expires the window in real time.
    passTime: (ms) => sleep(ms + 50),
    async cleanup() {
      limiter.close();
      peer.close();
      await redis.cleanup();
    },
  };
});
