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

/**
 * The ports `unusedPort` picks from: below Linux's default ephemeral range (32768–60999), from which the kernel
 * hands out both `listen(0)` ports and the local ports of outgoing connections. A port picked there could be
 * taken by any client connection (Kafka, PostgreSQL, Redis) before the process it was picked for listens on it.
 */
const pickedPorts = { low: 20_000, high: 32_767 };
const handedOut = new Set<number>();

/**
 * A loopback port nothing listens on (bound, then released): for a process to listen on later, or a server that
 * is down. Never the same port twice in one process.
 */
export async function unusedPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = pickedPorts.low + Math.floor(Math.random() * (pickedPorts.high - pickedPorts.low + 1));
    if (handedOut.has(port)) continue;
    // Taken before the check, so that a concurrent call cannot pick it meanwhile.
    handedOut.add(port);
    if (await canListen(port)) return port;
    handedOut.delete(port);
  }
  throw new Error(`unusedPort: no free port in ${pickedPorts.low}-${pickedPorts.high} after 200 tries`);
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  return listening;
}
