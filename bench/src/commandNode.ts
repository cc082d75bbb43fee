import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { commandApiDeps, createApp, replicasCheck } from '@primetrade/command-api';
import { createProjectionAdmin } from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';
import {
  createLogger,
  createMetrics,
  createPostgresSql,
  createReadRouting,
  createSqlEventStore,
  createTokenService,
  loadConfig,
  type ReadinessChecks,
} from '@primetrade/platform';

/**
 * A command-api node as cluster mode runs it (no relay or projector in the process), on the
 * PostgreSQL database in BENCH_DATABASE_URL. Started as a child process by B2 so that the load
 * generator does not share its CPU. Prints `{"url": ...}` when it listens; stops on SIGTERM.
 * With BENCH_READ_DATABASE_URLS its reads go to those replicas (B19), and `/readyz` counts them.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const primary = createPostgresSql({ connectionString: process.env.BENCH_DATABASE_URL ?? '', max: 20 });
  await runMigrations(primary);
  const replicaUrls = (process.env.BENCH_READ_DATABASE_URLS ?? '').split(',').filter(Boolean);
  const routing =
    replicaUrls.length > 0 ? createReadRouting({ primary, replicaUrls, maxLagMs: 2_000, poolMax: 20 }) : null;
  const sql = routing?.sql ?? primary;
  const store = await createSqlEventStore(primary, {
    groupCommit:
      process.env.BENCH_GROUP_COMMIT === '0' ? false : { maxInFlight: Number(process.env.BENCH_GROUP_IN_FLIGHT ?? 2) },
  });
  const app = createApp(
    commandApiDeps(config, {
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      sql,
      store,
      tokens: createTokenService({ secret: config.JWT_SECRET ?? '', accessTtlSeconds: 3600 }),
      ...(routing ? { readRouting: routing } : {}),
      readiness: async (): Promise<ReadinessChecks> =>
        routing ? { readReplicas: replicasCheck(routing.status()) } : {},
      projectionAdmin: createProjectionAdmin({ sql, store }),
    }),
  );
  const handle = app.callback();
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
  process.once('SIGTERM', () => {
    server.close();
    void store
      .close()
      .then(() => sql.close())
      .then(() => process.exit(0));
  });
}

void main();
