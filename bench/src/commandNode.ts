import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { commandApiDeps, createApiServer, createApp, replicasCheck } from '@primetrade/command-api';
import { createProjectionAdmin } from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';
import {
  createLogger,
  createMetrics,
  createPostgresSql,
  createReadRouting,
  createRedisClient,
  createRedisRateLimiter,
  createSqlEventStore,
  createTokenService,
  loadConfig,
  type ReadinessChecks,
} from '@primetrade/platform';
import { drainPercentiles, watchLoop, type Percentiles } from './lib/nodeDiagnostics.js';

/**
 * A command-api node as cluster mode runs it (no relay or projector in the process), on the
 * PostgreSQL database in BENCH_DATABASE_URL. Started as a child process by B2 so that the load
 * generator does not share its CPU. As server/src/apiNode.ts wires it: the per-user rate limit in
 * Redis (REDIS_URL; `BENCH_NODE_LIMITS=memory` keeps it in the process), one log line per request at
 * LOG_LEVEL (its stdout is where the parent sends it, /dev/null for B2), the API's own HTTP server.
 * Writes JSON lines to fd 3: `{"url": ...}` when it listens, `{"diagnostics": ...}` on SIGUSR2.
 * Stops on SIGTERM. With BENCH_READ_DATABASE_URLS its reads go to those replicas (B19), and
 * `/readyz` counts them.
 */
const control = (message: object): void => {
  writeSync(3, `${JSON.stringify(message)}\n`);
};

async function main(): Promise<void> {
  const appendTimes: number[] = [];
  const config = loadConfig();
  const primary = createPostgresSql({ connectionString: process.env.BENCH_DATABASE_URL ?? '', max: 20 });
  await runMigrations(primary);
  const replicaUrls = (process.env.BENCH_READ_DATABASE_URLS ?? '').split(',').filter(Boolean);
  const routing =
    replicaUrls.length > 0 ? createReadRouting({ primary, replicaUrls, maxLagMs: 2_000, poolMax: 20 }) : null;
  const sql = routing?.sql ?? primary;
  const store = await createSqlEventStore(primary, {
    // As cluster mode opens it (platform/src/cluster/clusterResources.ts: `groupCommit: true`, one statement in flight).
    groupCommit:
      process.env.BENCH_GROUP_COMMIT === '0'
        ? false
        : process.env.BENCH_GROUP_IN_FLIGHT
          ? { maxInFlight: Number(process.env.BENCH_GROUP_IN_FLIGHT) }
          : true,
  });
  if (process.env.BENCH_NODE_REQUEST_TIMES === '1') {
    const append = store.appendToStream.bind(store);
    store.appendToStream = async (...args) => {
      const started = performance.now();
      try {
        return await append(...args);
      } finally {
        appendTimes.push(performance.now() - started);
      }
    };
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  const metrics = createMetrics();
  const redis =
    process.env.BENCH_NODE_LIMITS === 'memory'
      ? null
      : createRedisClient({
          url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          name: 'bench-limits',
          logger,
          metrics,
        });
  // A key prefix of its own: runs never share (or clean up) each other's budgets.
  const keyPrefix = `bench-${randomUUID()}:ratelimit`;
  const app = createApp(
    commandApiDeps(config, {
      logger,
      metrics,
      ...(redis
        ? {
            rateLimiter: (budget: { points: number; durationMs: number; name: string }) =>
              createRedisRateLimiter({
                client: redis,
                points: budget.points,
                durationMs: budget.durationMs,
                keyPrefix: `${keyPrefix}:${budget.name}`,
                logger,
                metrics,
              }),
          }
        : {}),
      sql,
      store,
      tokens: createTokenService({ secret: config.JWT_SECRET ?? '', accessTtlSeconds: 3600 }),
      ...(routing ? { readRouting: routing } : {}),
      readiness: async (): Promise<ReadinessChecks> =>
        routing ? { readReplicas: replicasCheck(routing.status()) } : {},
      projectionAdmin: createProjectionAdmin({ sql, store }),
    }),
  );
  // The API's own server (keep-alive timeouts, problem+json for what Node refuses), as cluster mode runs it.
  const server = createApiServer(app);
  // Diagnostics for B2's latency (bench/README.md): SIGUSR2 prints and resets them as one JSON line.
  const loop = watchLoop();
  // BENCH_NODE_REQUEST_TIMES=1 also times each request and each append (a little CPU per command).
  const timed = process.env.BENCH_NODE_REQUEST_TIMES === '1';
  const requests: number[] = [];
  if (timed) {
    server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      const started = performance.now();
      res.once('finish', () => requests.push(performance.now() - started));
    });
  }
  process.on('SIGUSR2', () => {
    const timings: Record<string, Percentiles> = timed
      ? { requests: drainPercentiles(requests), appends: drainPercentiles(appendTimes) }
      : {};
    control({ diagnostics: loop.take(timings) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  control({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  process.once('SIGTERM', () => {
    server.close();
    void store
      .close()
      .then(() => sql.close())
      .then(() => redis?.quit())
      .then(() => process.exit(0));
  });
}

void main();
