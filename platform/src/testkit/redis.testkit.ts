import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createRedisClient, redisReady, type Redis } from '../redis/redisClient.js';

export const defaultTestRedisUrl = 'redis://127.0.0.1:6379';

export interface TestRedis {
  readonly url: string;
  /** `pt:<label>:<random>:` — every key a test writes starts with it, so cleanup touches nothing else. */
  readonly prefix: string;
  /** A ready client. */
  readonly client: Redis;
  /** Keys under `prefix` (SCAN, never KEYS). */
  keys(): Promise<string[]>;
  /** Deletes every key under `prefix` and closes `client`. */
  cleanup(): Promise<void>;
}

/** A unique key prefix on the machine's Redis, with a client to use and clean it up. */
export async function createTestRedis(label: string, url = defaultTestRedisUrl): Promise<TestRedis> {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 30);
  const prefix = `pt:${clean}:${randomBytes(6).toString('hex')}:`;
  const client = createRedisClient({ url, name: `test-${clean}` });
  await redisReady(client);
  const keys = async (): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  };
  let cleaned = false;
  return {
    url,
    prefix,
    client,
    keys,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      const left = await keys();
      if (left.length > 0) await client.del(...left);
      await client.quit();
    },
  };
}

/** A loopback port nothing listens on (bound, then released): a Redis that is down. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('unusedPort: no TCP address');
  return address.port;
}
