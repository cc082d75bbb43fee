import { Gauge, type Registry } from 'prom-client';
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';

export type { Redis } from 'ioredis';

export type RedisHealth = 'up' | 'down';
export type RedisClientRole = 'commands' | 'subscriber';

export interface RedisClientOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  readonly url: string;
  /** Names the connection in logs, in `CLIENT LIST` and in the `redis_up` gauge (`api`, `realtime-sub`, …). */
  readonly name: string;
  readonly logger?: Logger;
  /** The `primetrade_redis_up{name}` gauge (1 ready, 0 not) goes into this registry. */
  readonly metrics?: Pick<Metrics, 'registry'>;
  /**
   * `commands` (default): a command issued while disconnected fails at once, and one in flight when
   * the connection drops fails after one reconnection attempt, so callers see an outage quickly.
   * `subscriber`: commands wait for the connection instead. The Socket.IO adapter subscribes once,
   * as soon as it is built, and never retries: a failed SUBSCRIBE would leave the node deaf, while
   * one that waits is sent on connect and renewed by ioredis after every reconnection.
   */
  readonly role?: RedisClientRole;
  /** A command without a reply after this long fails; default none (the breakers time calls out). */
  readonly commandTimeoutMs?: number;
}

/** Reconnect delay: 100 ms doubling to a 5 s cap, plus jitter so restarted nodes do not reconnect in step. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(100 * 2 ** Math.min(attempt - 1, 16), 5_000);
  return base + Math.floor(random() * 100);
}

/**
 * An ioredis client for one role of one service. It connects at once and reconnects forever with
 * capped backoff; in the `commands` role a call fails fast while Redis is down (see `role`), so
 * callers behind a breaker see an outage quickly instead of waiting in a queue.
 * No global `keyPrefix`: every adapter names its own keys (ioredis would not prefix Lua-built or
 * pub/sub names consistently anyway). Connection changes are logged once per change, not per retry.
 */
export function createRedisClient(options: RedisClientOptions): Redis {
  // CLIENT SETNAME refuses spaces; keep names log- and metric-label-friendly.
  if (!/^[A-Za-z0-9_.:-]+$/.test(options.name))
    throw new RangeError(`createRedisClient: name must be letters, digits, _ . : - (got "${options.name}")`);
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new RangeError(`createRedisClient(${options.name}): url is not a URL`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RangeError(
      `createRedisClient(${options.name}): url must start with redis:// or rediss://, got ${url.protocol}`,
    );
  }
  const subscriber = options.role === 'subscriber';
  const client = new Redis(options.url, {
    connectionName: options.name,
    lazyConnect: false,
    enableOfflineQueue: subscriber,
    maxRetriesPerRequest: subscriber ? null : 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => reconnectDelayMs(attempt),
    ...(options.commandTimeoutMs !== undefined ? { commandTimeout: options.commandTimeoutMs } : {}),
  });
  watchConnection(client, options);
  return client;
}

/** `up` while the connection is ready for commands; a cheap synchronous answer for `/readyz`. */
export function redisHealth(client: Redis): RedisHealth {
  return client.status === 'ready' ? 'up' : 'down';
}

/** Resolves once `client` is ready; rejects after `timeoutMs` naming the client, for a fail-fast start. */
export function redisReady(client: Redis, timeoutMs = 5_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      const name = client.options.connectionName ?? 'redis';
      reject(new Error(`Redis client ${name} not ready after ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    client.once('ready', onReady);
  });
}

type ConnectionState = 'connecting' | 'up' | 'down' | 'closed';

function watchConnection(client: Redis, options: RedisClientOptions): void {
  const { logger, name } = options;
  const gauge = options.metrics ? redisUpGauge(options.metrics.registry) : undefined;
  let state: ConnectionState = 'connecting';
  let lastError: string | undefined;
  const enter = (next: ConnectionState, log: () => void): void => {
    gauge?.set({ name }, next === 'up' ? 1 : 0);
    if (state === next) return;
    state = next;
    log();
  };
  gauge?.set({ name }, 0);
  // Without an `error` listener ioredis prints every failed attempt to stderr.
  client.on('error', (error: Error) => {
    lastError = error.message;
  });
  client.on('ready', () => enter('up', () => logger?.info({ redis: name }, 'redis: connected')));
  client.on('reconnecting', () =>
    enter('down', () =>
      logger?.warn({ redis: name, reason: lastError }, 'redis: connection down, reconnecting with backoff'),
    ),
  );
  client.on('end', () => enter('closed', () => logger?.info({ redis: name }, 'redis: connection closed')));
}

const redisUpName = 'primetrade_redis_up';

/** One gauge per registry, shared by every client registered in it. */
function redisUpGauge(registry: Registry): Gauge<'name'> {
  const existing = registry.getSingleMetric(redisUpName);
  if (existing instanceof Gauge) return existing;
  return new Gauge({
    name: redisUpName,
    help: 'Redis connection ready (1) or not (0)',
    labelNames: ['name'],
    registers: [registry],
  });
}
