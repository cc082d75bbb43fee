import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createInProcessEventBus,
  createLogger,
  createMetrics,
  compileWasmWithBaselineOnly,
  createPgliteSql,
  createSqlEventStore,
  createTokenService,
  databaseCheck,
  makePrivateDir,
  listen,
  subscribeAccountRevocations,
  mailerFromConfig,
  type Config,
  type Logger,
  type Sql,
} from '@primetrade/platform';
import { commandApiDeps, createApiServer, createApp, graphqlSchema } from '@primetrade/command-api';
import {
  createNotificationServices,
  createProjectionAdmin,
  createEmbeddedSearchFeed,
  createProjector,
  createRelay,
  pushNotifications,
  retentionJobFromConfig,
  useHistorySnapshotsEvery,
  type NotificationRooms,
} from '@primetrade/projector';
import { runMigrations, createStoredBoards } from '@primetrade/read-model';
import { createFanoutConsumer, createRealtimeServer, readModelAccess } from '@primetrade/realtime';
import { searchIndexFromConfig, searchReadiness } from './searchIndex.js';

export interface EmbeddedOptions {
  readonly config: Config;
  /** Use this database instead of opening PGlite in DATA_DIR (tests). */
  readonly sql?: Sql;
  readonly logger?: Logger;
  readonly version?: string;
}

export interface EmbeddedSystem {
  readonly url: string;
  readonly port: number;
  readonly sql: Sql;
  close(): Promise<void>;
}

/** Embedded mode keeps its own signing secret next to its data when none is configured. */
async function jwtSecret(config: Config): Promise<string> {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = path.join(config.DATA_DIR, 'jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(48).toString('base64url');
    await writeFile(file, secret, { mode: 0o600 });
    return secret;
  }
}

/**
 * The whole product in one process (docs/architecture.md "embedded"): PGlite as event store and read models,
 * an in-process bus, the relay, the projector, Koa and Socket.IO on one HTTP server.
 * Steps are numbered because the order matters: consumers subscribe before the relay starts.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedSystem> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'primetrade' });
  const metrics = createMetrics();

  // 1. Storage: PGlite on disk (or the given database), schema up to date.
  // Accounts, password hashes and the JWT secret live here: the owner's only (docs/operations.md "Data care").
  await makePrivateDir(config.DATA_DIR);
  if (!options.sql && config.PGLITE_WASM_COMPILER === 'baseline') compileWasmWithBaselineOnly();
  const sql =
    options.sql ??
    (await createPgliteSql({
      dataDir: path.join(config.DATA_DIR, 'pglite'),
      settings: { shared_buffers: config.PGLITE_SHARED_BUFFERS },
    }));
  // PGlite sets mode 0666 on the files it creates, whatever the umask: tighten what it just wrote.
  // Files it adds later stay unreachable to others behind the 0700 directory, and are tightened at the next start.
  await makePrivateDir(config.DATA_DIR);
  await runMigrations(sql, logger);
  const store = await createSqlEventStore(sql, { logger, metrics });
  const tokens = createTokenService({
    secret: await jwtSecret(config),
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });

  // 2. Consumers of the bus: projector (read models, notifications) and realtime fan-out.
  // Notification pushes go to the Socket.IO server of step 3; nothing is projected before step 4.
  let rooms: NotificationRooms | null = null;
  const notifications = createNotificationServices({
    sql,
    logger,
    mailer: mailerFromConfig(config),
    dueSoonIntervalMs: config.DUE_SOON_SCAN_INTERVAL_MS,
    push: (created) => (rooms ? pushNotifications(rooms)(created) : undefined),
  });
  const bus = createInProcessEventBus();
  useHistorySnapshotsEvery(config.HISTORY_SNAPSHOT_EVERY);
  const projector = createProjector({ bus, sql, logger, metrics, notifications: notifications.projector });
  await projector.start();
  // The search index (PostgreSQL full text, or OpenSearch with SEARCH_URL) has a relay and checkpoint
  // of its own, so an index that is down holds back only itself (docs/adr/0026-search-projection.md).
  const search = searchIndexFromConfig(config, sql);
  const searchFeed = createEmbeddedSearchFeed({ store, sql, index: search, logger, metrics });

  // 3. HTTP + Socket.IO on one server.
  const app = createApp(
    commandApiDeps(config, {
      logger,
      metrics,
      sql,
      store,
      tokens,
      version: options.version,
      search,
      projectionAdmin: createProjectionAdmin({ sql, store, logger }),
      readiness: async () => ({
        database: await databaseCheck(sql),
        projector: projectorReadiness(projector.status()),
        search: searchReadiness(searchFeed.status()),
      }),
    }),
  );
  const server = createApiServer(app);
  const realtime = createRealtimeServer({
    httpServer: server,
    tokens,
    logger,
    metrics,
    corsOrigins: config.CORS_ORIGINS,
    ...readModelAccess(sql),
    storedBoards: createStoredBoards(store),
    maxSocketsPerUser: config.REALTIME_MAX_SOCKETS_PER_USER,
    maxMessageBytes: config.REALTIME_MAX_MESSAGE_BYTES,
    // GraphQL subscriptions over graphql-ws on `/graphql-ws` (docs/adr/0028-graphql-endpoint.md).
    graphqlSchema,
  });
  rooms = realtime.io;
  const stopRevocations = await subscribeAccountRevocations(sql, (userId) => realtime.dropAccount(userId));
  const fanout = await createFanoutConsumer(bus, realtime);

  // 4. The relay feeds the bus from the store's global order, from its checkpoint.
  const relay = createRelay({ store, bus, sql, logger, metrics });
  await relay.start();
  await searchFeed.start();
  notifications.start();
  // Retention of refresh tokens and notifications (projector/src/retention.ts).
  const retention = retentionJobFromConfig(config, sql, logger);
  retention.start();

  // 5. Listen.
  const url = await listen(server, config.HOST, config.PORT);
  const port = Number(new URL(url).port);
  logger.info({ url, dataDir: config.DATA_DIR }, 'PrimeTrade Task Manager is running');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Stop accepting, drain, then close the consumers and storage in reverse order.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await stopRevocations();
      await realtime.close();
      // The search feed before the relay: its batches wait for the read models the relay feeds.
      await searchFeed.stop();
      await relay.stop();
      await retention.stop();
      await notifications.stop();
      await fanout.stop();
      await projector.stop();
      await bus.close();
      server.closeAllConnections();
      await serverClosed;
      await store.close();
      if (!options.sql) await sql.close();
      logger.info('stopped');
    })());
  return { url, port, sql, close };
}

function projectorReadiness(status: { state: string; lastError?: string | undefined }) {
  return status.state === 'running'
    ? { ok: true }
    : { ok: false, detail: `projector ${status.state}${status.lastError ? `: ${status.lastError}` : ''}` };
}
