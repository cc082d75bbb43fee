import http from 'node:http';
import {
  clusterSettings,
  createGuardedSql,
  createMetrics,
  openBoardEventsBus,
  createPostgresSql,
  createRedisClient,
  createTokenService,
  databaseCheck,
  listen,
  subscribeAccountRevocations,
  openClusterEventStore,
  opsRequestHandler,
  redisHealth,
  type Config,
  type Logger,
} from '@primetrade/platform';
import { graphqlSchema } from '@primetrade/command-api';
import { createStoredBoards } from '@primetrade/read-model';
import {
  createRealtimeServer,
  createRedisAdapter,
  createRedisPresenceStore,
  createRedisRemovals,
  readModelAccess,
  realtimeConsumerGroup,
} from '@primetrade/realtime';

export interface RealtimeNode {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * One Socket.IO node (cluster mode, docs/api.md and docs/cluster.md): consumes the board events topic in group
 * `realtime` (each partition on one node) and emits to rooms through the Redis adapter, which
 * delivers on every node; presence and pending removals live in Redis; membership comes from the
 * read models, or from the board's stream in the event store while they lag (docs/consistency.md). `/healthz`, `/readyz` and `/metrics` share the HTTP server.
 */
export async function startRealtimeNode(config: Config, logger: Logger): Promise<RealtimeNode> {
  const settings = clusterSettings(config, 'realtime');
  const metrics = createMetrics();
  if (!config.JWT_SECRET) throw new Error('JWT_SECRET is required in cluster mode');
  const tokens = createTokenService({ secret: config.JWT_SECRET, accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS });
  const sql = createGuardedSql(
    createPostgresSql({
      connectionString: settings.databaseUrl,
      max: Math.min(config.PG_POOL_MAX, 5),
      applicationName: 'primetrade-realtime',
    }),
    { name: 'read-database', metrics },
  );
  const pub = createRedisClient({ url: settings.redisUrl, name: `${settings.nodeName}-pub`, logger, metrics });
  const sub = createRedisClient({
    url: settings.redisUrl,
    name: `${settings.nodeName}-sub`,
    logger,
    metrics,
    role: 'subscriber',
  });
  const presenceStore = createRedisPresenceStore(pub, { prefix: config.REDIS_KEY_PREFIX, logger });
  // Read-only here: a join the read models cannot decide yet is decided by the board's stream.
  const opened = await openClusterEventStore(config, settings, { logger, metrics, role: 'realtime' });

  const readiness = async () => ({
    readDatabase: await databaseCheck(sql, 'read database'),
    redis:
      redisHealth(pub) === 'up' && redisHealth(sub) === 'up'
        ? { ok: true }
        : {
            ok: false,
            detail: 'Redis unreachable: other nodes miss this node’s pushes; clients catch up through events?after=',
          },
    kafka: consumerHalted() ? { ok: false, detail: 'realtime consumer halted' } : { ok: true },
  });
  const ops = opsRequestHandler({ metrics, readiness });
  const server = http.createServer((req, res) => {
    // Socket.IO answers its own path before this handler; anything else that is not ops is not ours.
    if (ops(req, res) || req.url?.startsWith('/socket.io')) return;
    res.writeHead(404, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end('{"status":"not found"}');
  });

  const realtime = createRealtimeServer({
    httpServer: server,
    tokens,
    logger,
    metrics,
    corsOrigins: config.CORS_ORIGINS,
    adapter: createRedisAdapter(pub, sub, { key: `${config.REDIS_KEY_PREFIX}socket.io`, logger }),
    presenceStore,
    removals: createRedisRemovals(pub, { prefix: config.REDIS_KEY_PREFIX }),
    ...readModelAccess(sql),
    storedBoards: createStoredBoards(opened.store),
    maxSocketsPerUser: config.REALTIME_MAX_SOCKETS_PER_USER,
    maxMessageBytes: config.REALTIME_MAX_MESSAGE_BYTES,
    // GraphQL subscriptions over graphql-ws on `/graphql-ws` (docs/adr/0028-graphql-endpoint.md).
    graphqlSchema,
  });

  // Disabled or erased accounts lose their open sockets at once (announced by the API node that did it).
  const stopRevocations = await subscribeAccountRevocations(sql, (userId) => realtime.dropAccount(userId));

  const bus = await openBoardEventsBus(config, settings, { logger, metrics });
  // Pushes are for people looking now: a new group starts at the end; a client that missed
  // anything catches up through `events?after=` (docs/api.md), so nothing is replayed to rooms.
  // Read uncommitted: the push need not wait for the relay's transaction marker (docs/adr/0016).
  const consumer = await bus.subscribe(realtimeConsumerGroup, (events) => realtime.publish(events), {
    fromBeginning: false,
    readUncommitted: true,
  });
  const consumerHalted = () => (consumer.halted?.() ?? []).length > 0;

  const url = await listen(server, config.HOST, config.PORT);
  logger.info({ url, node: settings.nodeName }, 'realtime node running');
  return {
    url,
    async close() {
      await stopRevocations();
      await consumer.stop();
      await bus.close();
      await realtime.close();
      presenceStore.close();
      pub.disconnect();
      sub.disconnect();
      await sql.close();
      await opened.close();
    },
  };
}
