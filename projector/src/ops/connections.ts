import {
  openEventStoreDbEventStore,
  createPostgresSql,
  createSqlEventStore,
  type EventStore,
  type Logger,
  type OpsConfig,
  type Sql,
} from '@primetrade/platform';
import { runMigrations } from '@primetrade/read-model';

/** The CLI's connections, opened on first use and closed once at the end. */
export interface OpsConnections {
  /** Read models (migrated on first use, like every service does at start). */
  readModels(): Promise<Sql>;
  /** The PostgreSQL holding the event store's tables; throws for EventStoreDB. */
  storeSql(): Sql;
  /** The event store; opening a PostgreSQL one refuses an un-rebased restore. */
  store(): Promise<EventStore>;
  close(): Promise<void>;
}

export function openConnections(config: OpsConfig, logger: Logger): OpsConnections {
  let readSql: Sql | null = null;
  let migrated: Promise<void> | null = null;
  let storeSql: Sql | null = null;
  let store: Promise<EventStore> | null = null;

  const sqlOfStore = (): Sql => {
    if (config.eventStore !== 'postgres')
      throw new Error('This command needs the PostgreSQL event store (EVENT_STORE=postgres)');
    storeSql ??= createPostgresSql({
      connectionString: config.storeUrl,
      max: 4,
      applicationName: 'primetrade-ops-store',
    });
    return storeSql;
  };

  return {
    async readModels() {
      readSql ??= createPostgresSql({
        connectionString: config.databaseUrl,
        max: 4,
        applicationName: 'primetrade-ops',
      });
      migrated ??= runMigrations(readSql, logger);
      await migrated;
      return readSql;
    },
    storeSql: sqlOfStore,
    store() {
      store ??=
        config.eventStore === 'eventstoredb'
          ? openEventStoreDbEventStore({ connectionString: config.storeUrl, logger })
          : createSqlEventStore(sqlOfStore(), { logger });
      return store;
    },
    async close() {
      const opened = await store?.catch(() => null);
      await opened?.close();
      await storeSql?.close();
      await readSql?.close();
    },
  };
}
