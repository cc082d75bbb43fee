import {
  clusterSettings,
  createMetrics,
  openBoardEventsBus,
  createPostgresSql,
  createRedisClient,
  databaseCheck,
  mailerFromConfig,
  openClusterEventStore,
  startOpsServer,
  type Config,
  type EventBus,
  type Logger,
  type Sql,
} from '@primetrade/platform';
import {
  createLeaderLease,
  createNotificationServices,
  createProjector,
  createRedisNotificationRooms,
  createRelay,
  pushNotifications,
  rebuildReadModels,
  retentionJobFromConfig,
  useHistorySnapshotsEvery,
  type RebuildResult,
} from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';

export interface ServiceNode {
  readonly opsUrl: string;
  close(): Promise<void>;
}

/**
 * Wrappers the caller may put around a node's ports. The production entry point passes none; the
 * cluster fault tests start the same wiring with crashes injected through them (docs/testing.md,
 * faults 4 and 7).
 */
export interface PortDecorators {
  /** Around the bus the relay publishes to. */
  readonly decorateBus?: (bus: EventBus) => EventBus;
  /** Around the `Sql` the projector applies its batches with. */
  readonly decorateSql?: (sql: Sql) => Sql;
}

const ok = { ok: true };
const down = (detail: string) => ({ ok: false, detail });

/**
 * The relay process (docs/architecture.md, cluster mode): store → Kafka under a leader lease. Start two;
 * the second waits as the standby. `/readyz` is ready on both (a standby is healthy); `/status`
 * says which one leads.
 */
export async function startRelayNode(
  config: Config,
  logger: Logger,
  decorators: PortDecorators = {},
): Promise<ServiceNode> {
  const settings = clusterSettings(config, 'relay');
  const metrics = createMetrics();
  const sql = createPostgresSql({
    connectionString: settings.databaseUrl,
    max: 4,
    applicationName: 'primetrade-relay',
    // A relay frozen inside its checkpoint transaction (SIGSTOP, a long GC pause) holds a share lock
    // on the lease row, and the standby's takeover waits on that lock: PostgreSQL ends such a
    // transaction after a third of the lease's life, so the takeover waits at most that long.
    idleInTransactionTimeoutMs: Math.max(1_000, Math.floor(config.RELAY_LEASE_TTL_MS / 3)),
  });
  await runMigrations(sql, logger);
  const opened = await openClusterEventStore(config, settings, { logger, metrics, role: 'relay' });
  // With RELAY_KAFKA_TRANSACTIONS, the same id on every relay of the topic: a new leader's producer
  // fences the old one's. Without (the default), a late batch of a relay that lost its lease holds
  // only stored events in their order, which every consumer's revision guard drops or applies as the
  // new leader's copy (docs/adr/0035-relay-without-kafka-transactions.md).
  const bus = await openBoardEventsBus(config, settings, {
    logger,
    metrics,
    ...(config.RELAY_KAFKA_TRANSACTIONS ? { transactionalId: `relay:${config.KAFKA_TOPIC}` } : {}),
  });
  const lease = createLeaderLease({
    sql,
    name: `relay:${config.KAFKA_TOPIC}`,
    holder: settings.nodeName,
    ttlMs: config.RELAY_LEASE_TTL_MS,
  });
  const relay = createRelay({
    store: opened.store,
    bus: decorators.decorateBus?.(bus) ?? bus,
    sql,
    lease,
    checkpointName: `relay:${config.KAFKA_TOPIC}`,
    logger,
    metrics,
  });
  await relay.start();
  const ops = await startOpsServer({
    port: config.OPS_PORT,
    host: config.HOST,
    metrics,
    readiness: async () => ({
      database: await databaseCheck(sql),
      kafka: bus.producerState() === 'open' ? down('Kafka producer breaker open') : ok,
      relay: relay.status().role === 'stopped' ? down('relay stopped') : ok,
    }),
    documents: { '/status': () => ({ node: settings.nodeName, ...relay.status() }) },
  });
  logger.info({ ops: ops.url, node: settings.nodeName }, 'relay node running');
  return {
    opsUrl: ops.url,
    async close() {
      await ops.close();
      await relay.stop();
      await bus.close();
      await opened.close();
      await sql.close();
    },
  };
}

/** The projector process (docs/architecture.md, cluster mode): Kafka group `projector` → read models. */
export async function startProjectorNode(
  config: Config,
  logger: Logger,
  decorators: PortDecorators = {},
): Promise<ServiceNode> {
  const settings = clusterSettings(config, 'projector');
  const metrics = createMetrics();
  const sql = createPostgresSql({
    connectionString: settings.databaseUrl,
    max: config.PG_POOL_MAX,
    applicationName: 'primetrade-projector',
  });
  await runMigrations(sql, logger);
  useHistorySnapshotsEvery(config.HISTORY_SNAPSHOT_EVERY);
  const bus = await openBoardEventsBus(config, settings, { logger, metrics });
  // Pushes reach the realtime nodes through their Redis adapter's channels (same key as theirs).
  const redis = createRedisClient({ url: settings.redisUrl, name: `${settings.nodeName}-notify`, logger, metrics });
  const notifications = createNotificationServices({
    sql,
    logger,
    mailer: mailerFromConfig(config),
    dueSoonIntervalMs: config.DUE_SOON_SCAN_INTERVAL_MS,
    push: pushNotifications(
      createRedisNotificationRooms(redis, { key: `${config.REDIS_KEY_PREFIX}socket.io`, logger }),
    ),
  });
  const projector = createProjector({
    bus,
    sql: decorators.decorateSql?.(sql) ?? sql,
    logger,
    metrics,
    notifications: notifications.projector,
    partitionsAtOnce: config.PROJECTOR_PARTITIONS_AT_ONCE,
  });
  await projector.start();
  notifications.start();
  const retention = retentionJobFromConfig(config, sql, logger);
  retention.start();
  const ops = await startOpsServer({
    port: config.OPS_PORT,
    host: config.HOST,
    metrics,
    readiness: async () => {
      const status = projector.status();
      return {
        database: await databaseCheck(sql),
        projector:
          status.state === 'running'
            ? ok
            : down(`projector ${status.state}${status.lastError ? `: ${status.lastError}` : ''}`),
      };
    },
    documents: { '/status': () => ({ node: settings.nodeName, ...projector.status() }) },
  });
  logger.info({ ops: ops.url, node: settings.nodeName }, 'projector node running');
  return {
    opsUrl: ops.url,
    async close() {
      await ops.close();
      await retention.stop();
      await projector.stop();
      await notifications.stop();
      await bus.close();
      redis.disconnect();
      await sql.close();
    },
  };
}

/**
 * `node server/dist/projector.main.js rebuild`: replays the cluster's event store into fresh read-model
 * tables and switches them in (the live projector keeps running; pushes are not repeated).
 * Progress goes to the log every batch.
 */
export async function rebuildClusterReadModels(config: Config, logger: Logger): Promise<RebuildResult> {
  const settings = clusterSettings(config, 'rebuild');
  const metrics = createMetrics();
  const sql = createPostgresSql({
    connectionString: settings.databaseUrl,
    max: 4,
    applicationName: 'primetrade-rebuild',
  });
  const opened = await openClusterEventStore(config, settings, { logger, metrics, role: 'rebuild' });
  try {
    await runMigrations(sql, logger);
    return await rebuildReadModels({ sql, store: opened.store, logger });
  } finally {
    await opened.close();
    await sql.close();
  }
}
