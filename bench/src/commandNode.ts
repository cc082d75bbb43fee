import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { commandApiDeps, createApp } from '@primetrade/command-api';
import { createProjectionAdmin } from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';
import {
  createLogger,
  createMetrics,
  createPostgresSql,
  createSqlEventStore,
  createTokenService,
  loadConfig,
} from '@primetrade/platform';

/**
 * A command-api node as cluster mode runs it (no relay or projector in the process), on the
 * PostgreSQL database in BENCH_DATABASE_URL. Started as a child process by B2 so that the load
 * generator does not share its CPU. Prints `{"url": ...}` when it listens; stops on SIGTERM.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const sql = createPostgresSql({ connectionString: process.env.BENCH_DATABASE_URL ?? '', max: 20 });
  await runMigrations(sql);
  const store = await createSqlEventStore(sql, {
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
      readiness: async () => ({}),
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
