import { hostname } from 'node:os';
import type { Config } from '../config/config.js';
import type { EventStore } from '../eventStore/eventStore.port.js';
import { openEventStoreDbEventStore } from '../eventStore/eventStoreDbLoader.js';
import { createSqlEventStore } from '../eventStore/sqlEventStore.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createKafkaEventBus, type KafkaEventBus } from '../bus/kafkaEventBus.js';
import { ensureBoardEventsTopic } from '../bus/kafkaTopics.js';
import { createPostgresSql } from '../sql/postgresSql.js';
import type { Sql } from '../sql/sql.port.js';

/** Cluster settings that `loadConfig` guarantees are present in MODE=cluster. */
export interface ClusterSettings {
  readonly databaseUrl: string;
  readonly storeUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly redisUrl: string;
  readonly nodeName: string;
}

export function clusterSettings(config: Config, role: string): ClusterSettings {
  if (config.MODE !== 'cluster' || !config.DATABASE_URL || !config.REDIS_URL) {
    throw new Error('Cluster services need MODE=cluster with DATABASE_URL, KAFKA_BROKERS and REDIS_URL');
  }
  return {
    databaseUrl: config.DATABASE_URL,
    storeUrl: config.EVENT_STORE_URL ?? config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    redisUrl: config.REDIS_URL,
    nodeName: config.NODE_NAME ?? `${role}-${hostname()}-${process.pid}`,
  };
}

export interface OpenedStore {
  readonly store: EventStore;
  /** Where the store's tables live (PostgreSQL store), for readiness; null for EventStoreDB. */
  readonly sql: Sql | null;
  close(): Promise<void>;
}

/**
 * The event store a cluster node appends to and reads from. PostgreSQL: its own pool (the store may
 * be another server than the read models, so a read-side outage leaves commands working).
 */
export async function openClusterEventStore(
  config: Config,
  settings: ClusterSettings,
  parts: { readonly logger: Logger; readonly metrics: Pick<Metrics, 'appendDuration'>; readonly role: string },
): Promise<OpenedStore> {
  if (config.EVENT_STORE === 'eventstoredb') {
    const store = await openEventStoreDbEventStore({ connectionString: settings.storeUrl, logger: parts.logger });
    return { store, sql: null, close: () => store.close() };
  }
  const sql = createPostgresSql({
    connectionString: settings.storeUrl,
    max: config.PG_POOL_MAX,
    applicationName: `primetrade-${parts.role}-store`,
  });
  // Concurrent appends of this process share statements (docs/adr/0021-group-commit-of-appends.md).
  const store = await createSqlEventStore(sql, { logger: parts.logger, metrics: parts.metrics, groupCommit: true });
  return {
    store,
    sql,
    async close() {
      await store.close();
      await sql.close();
    },
  };
}

export interface BoardEventsBusOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The relay's: one id per topic, so a new leader's producer fences the old one's. */
  readonly transactionalId?: string;
}

/**
 * The cluster's bus on the board events topic, created first when missing (with the configured
 * partition count; a topic with another count is refused).
 */
export async function openBoardEventsBus(
  config: Config,
  settings: ClusterSettings,
  options: BoardEventsBusOptions,
): Promise<KafkaEventBus> {
  const { logger, metrics } = options;
  await ensureBoardEventsTopic({
    brokers: settings.kafkaBrokers,
    topic: config.KAFKA_TOPIC,
    partitions: config.KAFKA_PARTITIONS,
    logger,
  });
  return createKafkaEventBus({
    brokers: settings.kafkaBrokers,
    topic: config.KAFKA_TOPIC,
    clientId: settings.nodeName,
    logger,
    metrics,
    ...(options.transactionalId ? { transactionalId: options.transactionalId } : {}),
  });
}
