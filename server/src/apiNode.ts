import {
  clusterSettings,
  createGuardedSql,
  createMetrics,
  createPostgresSql,
  createReadRouting,
  createRedisCache,
  createRedisClient,
  createRedisRateLimiter,
  createTokenService,
  listen,
  redisHealth,
  type RedisRateLimiter,
  openClusterEventStore,
  type Config,
  type Logger,
} from '@primetrade/platform';
import { commandApiDeps, commandNodeReadiness, createApiServer, createApp } from '@primetrade/command-api';
import { createProjectionAdmin } from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';
import { searchIndexFromConfig } from './searchIndex.js';

export interface CommandApiNode {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * One stateless command-api node (cluster mode): commands append to the cluster's event store;
 * queries, accounts and idempotency keys use the read-side PostgreSQL behind a breaker, so when
 * that database is down they fail at once with 503 while store-only commands keep working.
 */
export async function startCommandApiNode(config: Config, logger: Logger, version?: string): Promise<CommandApiNode> {
  const settings = clusterSettings(config, 'api');
  const metrics = createMetrics();
  const plainSql = createPostgresSql({
    connectionString: settings.databaseUrl,
    max: config.PG_POOL_MAX,
    applicationName: 'primetrade-api',
  });
  await runMigrations(plainSql, logger);
  const primarySql = createGuardedSql(plainSql, { name: 'read-database', metrics });
  // Reads of authenticated GETs go to replicas when there are any (docs/adr/0029-read-replicas.md).
  const readRouting = createReadRouting({
    primary: primarySql,
    replicaUrls: config.READ_DATABASE_URLS,
    maxLagMs: config.READ_REPLICA_MAX_LAG_MS,
    poolMax: config.PG_POOL_MAX,
    applicationName: 'primetrade-api',
    metrics,
  });
  const sql = readRouting.sql;
  const opened = await openClusterEventStore(config, settings, { logger, metrics, role: 'api' });
  if (!config.JWT_SECRET) throw new Error('JWT_SECRET is required in cluster mode');
  const tokens = createTokenService({ secret: config.JWT_SECRET, accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS });
  const redis = createRedisClient({ url: settings.redisUrl, name: `${settings.nodeName}-limits`, logger, metrics });
  const limiters: RedisRateLimiter[] = [];
  const rateLimiter = (budget: { points: number; durationMs: number; name: string }) => {
    const created = createRedisRateLimiter({
      client: redis,
      points: budget.points,
      durationMs: budget.durationMs,
      keyPrefix: `${config.REDIS_KEY_PREFIX}ratelimit:${budget.name}`,
      logger,
      metrics,
    });
    limiters.push(created);
    return created;
  };

  const statsCache = createRedisCache({ client: redis, keyPrefix: `${config.REDIS_KEY_PREFIX}cache:stats:`, logger });
  const app = createApp({
    ...commandApiDeps(config, {
      logger,
      metrics,
      sql,
      store: opened.store,
      tokens,
      version,
      rateLimiter,
      projectionAdmin: createProjectionAdmin({ sql, store: opened.store, logger }),
      readRouting,
      readiness: commandNodeReadiness({
        redisUp: () => redisHealth(redis) === 'up',
        readSql: primarySql,
        ...(config.READ_DATABASE_URLS.length > 0 ? { readReplicas: () => readRouting.status() } : {}),
        eventStoreSql: opened.sql,
      }),
    }),
    statsCache,
    // Reads only: the search node feeds it (OpenSearch with SEARCH_URL, else the read database's full text).
    search: searchIndexFromConfig(config, sql),
  });
  const server = createApiServer(app);
  const url = await listen(server, config.HOST, config.PORT);
  logger.info({ url, node: settings.nodeName }, 'command-api node running');
  return {
    url,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await opened.close();
      await sql.close();
      for (const limiter of limiters) limiter.close();
      redis.disconnect();
    },
  };
}
