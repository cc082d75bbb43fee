import { boardStreamPrefix, type Envelope } from '@primetrade/domain';
import {
  createPostgresSql,
  createSqlEventStore,
  createTestDatabase,
  toEnvelope,
  type BusHandler,
  type EventBus,
  type EventStore,
  type Sql,
  type SqlQueryable,
} from '@primetrade/platform';
import {
  appendHistories,
  applyEnvelopes,
  boardHistories,
  createProjector,
  rebuildReadModels,
} from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';
import { partitionsOf, readModelTables } from './b5-projector.js';
import { rawRows, rawUpsert } from './b5-raw.js';
import { cpuSeconds } from './lib/cpu.js';

/**
 * `node [--cpu-prof] bench/dist/profileProjector.js [rounds] [live|kafka|rebuild|replay|bulk|both|raw|rawlive|all]`:
 * B5's data (200 boards × 207 events) projected by raw upserts (`raw`, `rawlive`, `all`), by the live
 * path (batches of 500), by the Kafka projector's whole path in small batches (`kafka`: its offset
 * rows and notifications too, `PROFILE_BATCH` events a batch, default 5, as at a low rate) and by a
 * full rebuild (`rebuild`: both ways, `replay`: in feed order only, `bulk`: board by board only, ADR
 * 0031), with figures that hold still on a shared machine: this process's CPU and the database backends' CPU
 * (from /proc) per event, beside the wall-clock rate; and each statement's client-side time
 * (sent → answered, summed per statement text), which shows the round trips and the heavy ones.
 */
const liveBatch = 500;

interface StatementTime {
  count: number;
  ms: number;
}

const statements = new Map<string, StatementTime>();

const keyOf = (text: string): string => {
  // Only the head: the scripts run to megabytes, and this must not cost the process what it measures.
  const flat = text.slice(0, 600).replace(/\s+/g, ' ').trim();
  // Scripts: name them by their statements' heads.
  const heads = flat
    .split(/;\s*(?=[A-Z(])/)
    .map((part) => part.slice(0, 48))
    .slice(0, 3);
  return text.length > 400 ? `script[${heads.join(' | ')}…]` : flat.slice(0, 90);
};

const record = (text: string, started: number) => {
  const key = keyOf(text);
  const entry = statements.get(key) ?? { count: 0, ms: 0 };
  entry.count += 1;
  entry.ms += performance.now() - started;
  statements.set(key, entry);
};

function timed(tx: SqlQueryable): SqlQueryable {
  return {
    async query<R extends object>(text: string, params?: readonly unknown[]) {
      const started = performance.now();
      try {
        return await tx.query<R>(text, params);
      } finally {
        record(text, started);
      }
    },
    async exec(text: string) {
      const started = performance.now();
      try {
        await tx.exec(text);
      } finally {
        record(text, started);
      }
    },
    async copyFrom(table, columns, rows) {
      const started = performance.now();
      try {
        await tx.copyFrom(table, columns, rows);
      } finally {
        record(`COPY ${table}`, started);
      }
    },
  };
}

function timedSql(sql: Sql): Sql {
  return {
    ...timed(sql),
    kind: sql.kind,
    tx: (fn) => sql.tx((tx) => fn(timed(tx))),
    listen: (channel, onNotify) => sql.listen(channel, onNotify),
    close: () => sql.close(),
  };
}

function timedStore(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'bulk' && value) {
        const bulk = value as NonNullable<EventStore['bulk']>;
        return {
          feedEnd: (prefix: string) => bulk.feedEnd(prefix),
          readByStream: async (options: Parameters<typeof bulk.readByStream>[0]) => {
            const started = performance.now();
            try {
              return await bulk.readByStream(options);
            } finally {
              record('store.bulk.readByStream', started);
            }
          },
        };
      }
      if (property !== 'readAll' || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          record('store.readAll', started);
        }
      };
    },
  });
}

/** CPU seconds of each backend of this database (pid → seconds). */
async function backendCpu(sql: Sql): Promise<Map<number, number>> {
  const rows = await sql.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  const seconds = new Map<number, number>();
  for (const { pid } of rows) seconds.set(pid, (await cpuSeconds(pid)) ?? 0);
  return seconds;
}

/** What the backends used in between (a backend that ended meanwhile is missed: an undercount). */
const backendDelta = (before: Map<number, number>, after: Map<number, number>): number =>
  [...after].reduce((sum, [pid, seconds]) => sum + seconds - (before.get(pid) ?? 0), 0);

async function measured(label: string, sql: Sql, events: number, run: () => Promise<void>): Promise<void> {
  const pgBefore = await backendCpu(sql);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const pg = backendDelta(pgBefore, await backendCpu(sql));
  const nodeUs = ((cpu.user + cpu.system) / events).toFixed(1);
  const pgUs = ((pg * 1e6) / events).toFixed(1);
  console.log(
    `${label}: ${(events / seconds).toFixed(0)} events/s wall; node ${nodeUs} µs/event, PostgreSQL backends ${pgUs} µs/event`,
  );
}

function printStatements(title: string): void {
  const rows = [...statements].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
  console.log(`  client-side statement time, ${title}:`);
  for (const [key, { count, ms }] of rows)
    console.log(`  ${ms.toFixed(0).padStart(7)} ms ${String(count).padStart(6)}× ${key}`);
  statements.clear();
}

/** A bus that hands the projector Kafka-like deliveries: 8 partitions, boards spread over them, offsets per partition. */
async function deliverAsKafka(sql: Sql, envelopes: readonly Envelope[], batchSize: number): Promise<void> {
  let handler: BusHandler | null = null;
  const bus: EventBus = {
    publish: () => Promise.reject(new Error('not used')),
    resetProducer: () => Promise.resolve(),
    subscribe: async (_group, handle) => {
      handler = handle;
      return { stop: () => Promise.resolve() };
    },
    close: () => Promise.resolve(),
  };
  const projector = createProjector({ bus, sql, notifications: { mail: false } });
  await projector.start();
  const partitions = partitionsOf(envelopes, 8);
  for (let offset = 0; partitions.some((events) => offset < events.length); offset += batchSize) {
    for (const [partition, events] of partitions.entries()) {
      const batch = events.slice(offset, offset + batchSize);
      if (batch.length === 0) continue;
      const offsets = batch.map((_, index) => String(offset + index));
      await handler!(batch, { topic: 'profile', partition, offsets, remaining: 0 });
    }
  }
  await projector.stop();
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 2);
  const mode = process.argv[3] ?? 'both';
  // The bulk rebuild's chunk size (ADR 0031), when set; its default otherwise.
  const chunkSize = process.env.PROFILE_CHUNK_SIZE ? Number(process.env.PROFILE_CHUNK_SIZE) : undefined;
  const created = await createTestDatabase('bench_b5_profile', { max: 4 });
  const explainMs = process.env.PROFILE_EXPLAIN_MS;
  if (explainMs !== undefined) {
    // auto_explain (a contrib module shipped with PostgreSQL) logs the plan, with actual times, of every
    // statement slower than this to the server's log, for this database's new sessions.
    for (const setting of [
      `session_preload_libraries = 'auto_explain'`,
      `auto_explain.log_min_duration = ${Number(explainMs)}`,
      'auto_explain.log_analyze = on',
      'auto_explain.log_buffers = on',
      'auto_explain.log_nested_statements = on',
    ])
      await created.sql.exec(`ALTER DATABASE "${created.name}" SET ${setting}`);
    await created.sql.close();
  }
  const database =
    explainMs === undefined
      ? created
      : { ...created, sql: createPostgresSql({ connectionString: created.url, max: 4 }) };
  console.log(`database ${created.name}`);
  const sql = timedSql(database.sql);
  try {
    await runMigrations(database.sql);
    const rawStore = await createSqlEventStore(database.sql, { schema: 'es_b5' });
    const count = await appendHistories(rawStore, boardHistories({ boards: 200, eventsPerBoard: 200, seed: 5 }), 50);
    const store = timedStore(rawStore);
    const envelopes: Envelope[] = (await rawStore.readAll({ streamPrefix: boardStreamPrefix })).map(toEnvelope);
    const batches = Array.from({ length: Math.ceil(count / liveBatch) }, (_, index) =>
      envelopes.slice(index * liveBatch, (index + 1) * liveBatch),
    );
    console.log(`${count} events, ${batches.length} batches of ${liveBatch}`);
    if (mode === 'raw' || mode === 'rawlive' || mode === 'all')
      await database.sql.exec('CREATE TABLE raw_rows (LIKE tasks INCLUDING ALL)');
    const rawBatches = batches.map(rawRows);
    for (let round = 1; round <= rounds; round += 1) {
      if (mode === 'raw' || mode === 'rawlive' || mode === 'all') {
        await database.sql.exec('TRUNCATE raw_rows');
        await measured(`raw upserts round ${round} (B5's baseline)`, database.sql, count, async () => {
          for (const rows of rawBatches) await rawUpsert(sql, rows);
        });
        statements.clear();
      }
      if (mode === 'raw') continue;
      if (mode === 'live' || mode === 'rawlive' || mode === 'both' || mode === 'all') {
        await database.sql.exec(`TRUNCATE ${readModelTables}`);
        statements.clear();
        await measured(`live round ${round}`, database.sql, count, async () => {
          for (const batch of batches) await applyEnvelopes(sql, batch);
        });
        printStatements(`live round ${round}`);
      }
      if (mode === 'kafka') {
        const batchSize = Number(process.env.PROFILE_BATCH ?? 5);
        await database.sql.exec(`TRUNCATE ${readModelTables}, projection_offsets`);
        statements.clear();
        await measured(`kafka path, batches of ${batchSize}, round ${round}`, database.sql, count, () =>
          deliverAsKafka(sql, envelopes, batchSize),
        );
        printStatements(`kafka path round ${round}`);
        continue;
      }
      if (mode !== 'live' && mode !== 'rawlive' && mode !== 'bulk') {
        statements.clear();
        await measured(`rebuild in feed order round ${round}`, database.sql, count, async () => {
          await rebuildReadModels({ sql, store, bulk: false });
        });
        printStatements(`rebuild in feed order round ${round}`);
      }
      if (mode !== 'live' && mode !== 'rawlive' && mode !== 'replay') {
        statements.clear();
        await measured(`rebuild board by board round ${round}`, database.sql, count, async () => {
          await rebuildReadModels({ sql, store, ...(chunkSize ? { chunkSize } : {}) });
        });
        printStatements(`rebuild board by board round ${round}`);
      }
    }
    await rawStore.close();
  } finally {
    if (database !== created) await database.sql.close();
    await created.drop();
  }
}

await main();
