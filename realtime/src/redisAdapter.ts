import { createAdapter } from '@socket.io/redis-adapter';
import type { ServerOptions } from 'socket.io';
import type { Logger, Redis } from '@primetrade/platform';

export interface RedisAdapterOptions {
  /** Pub/sub channel prefix (`<key>#/#room#`), one per deployment sharing a Redis. Default `socket.io`. */
  readonly key?: string;
  /** How long a cross-node request (`fetchSockets`, `socketsLeave` acks) waits for other nodes. Default 5000. */
  readonly requestsTimeoutMs?: number;
  readonly logger?: Logger;
}

/**
 * The Socket.IO Redis adapter (docs/api.md): `io.to(room).emit` and `socketsLeave` reach the sockets of
 * every realtime node. Pass the result as `RealtimeDeps.adapter`.
 *
 * `subClient` must be created with `role: 'subscriber'` (see `createRedisClient`). `pubClient` is a
 * `commands` client, so a publish while Redis is down fails at once. The adapter never handles the
 * promises of its publish and (un)subscribe calls, and an unhandled rejection would end the
 * process: they are caught and logged here, once per outage. An emit is then lost for the other
 * nodes, which is what a down Redis means; this node's own sockets still get it.
 */
export function createRedisAdapter(
  pubClient: Redis,
  subClient: Redis,
  options: RedisAdapterOptions = {},
): NonNullable<ServerOptions['adapter']> {
  if (subClient.options.maxRetriesPerRequest !== null || subClient.options.enableOfflineQueue !== true) {
    throw new RangeError(
      "createRedisAdapter: create subClient with createRedisClient({ role: 'subscriber' }), or its subscription may be lost",
    );
  }
  if (pubClient === subClient)
    throw new RangeError('createRedisAdapter: pubClient and subClient must be two connections');
  const key = options.key ?? 'socket.io';
  if (key === '') throw new RangeError('createRedisAdapter: key must not be empty');
  const logger = options.logger;
  const pub = withHandledRejections(pubClient, ['publish'], (error) =>
    logger?.warn({ err: error }, 'realtime: Redis adapter publish failed; other nodes miss emits until Redis is back'),
  );
  const sub = withHandledRejections(subClient, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'], (error) =>
    logger?.warn({ err: error }, 'realtime: Redis adapter (un)subscribe failed'),
  );
  return createAdapter(pub, sub, {
    key,
    requestsTimeout: options.requestsTimeoutMs ?? 5_000,
    // Responses go to the asking node's own channel instead of every node (the default in the next major).
    publishOnSpecificResponseChannel: true,
  }) as NonNullable<ServerOptions['adapter']>;
}

/**
 * `client` with the promises of `methods` settled: a rejection is reported (once until one of them
 * succeeds again) and resolves to undefined. Everything else is the client itself.
 */
function withHandledRejections(client: Redis, methods: readonly string[], report: (error: unknown) => void): Redis {
  let failing = false;
  const handled = new Map<PropertyKey, (...args: unknown[]) => Promise<unknown>>();
  for (const method of methods) {
    const original = Reflect.get(client, method) as (...args: unknown[]) => Promise<unknown>;
    handled.set(method, (...args) =>
      original.apply(client, args).then(
        (result) => {
          failing = false;
          return result;
        },
        (error: unknown) => {
          if (!failing) report(error);
          failing = true;
          return undefined;
        },
      ),
    );
  }
  return new Proxy(client, {
    get(target, property) {
      const wrapped = handled.get(property);
      if (wrapped) return wrapped;
      const value: unknown = Reflect.get(target, property, target);
      // Methods run on the client itself; `constructor` stays unbound (the adapter reads its name).
      return typeof value === 'function' && property !== 'constructor'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
