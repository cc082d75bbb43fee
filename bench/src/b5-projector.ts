import { boardStreamPrefix, type Envelope } from '@primetrade/domain';
import { createSqlEventStore, createTestDatabase, toEnvelope, type EventStore, type Sql } from '@primetrade/platform';
import { appendHistories, applyEnvelopes, boardHistories, rebuildReadModels } from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';
import { rawHistory, rawRows, rawUpsert, rawUpsertWithHistory, type RawWrites } from './b5-raw.js';
import { interleaved, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';

/** The projector's batches: the relay's default read size. */
const liveBatch = 500;
const boards = 200;
const eventsPerBoard = 200;

export interface ProjectorBenchResult {
  readonly events: number;
  /** Live `applyEnvelopes` vs raw batched upserts of as many row versions. */
  readonly projector: RatioResult;
  /** The same with the boards split over two partitions applied at once, on both sides. */
  readonly partitionsAtOnce: RatioResult;
  /**
   * The same two partitions at once against a baseline that also writes one history row per event
   * (raw COPY): the row volume the live path must write, without its folding, statistics or notifications.
   */
  readonly sameRows: RatioResult;
  /** `rebuildReadModels` vs the live path replaying the same store. */
  readonly rebuild: RatioResult;
}

/** Every table the live path writes (the history read model too: a replay into leftover rows would only hit conflicts). */
export const readModelTables =
  'boards, board_members, board_columns, tasks, comments, projection_checkpoints, task_stats, column_counts, column_flow, wip_breaches, board_history, board_snapshots';

/** The projector's default: partitions applied at the same time (`PROJECTOR_PARTITIONS_AT_ONCE`). */
const partitionsAtOnce = 2;

/** The feed split as Kafka splits it: a board in one partition (boards dealt in turn), its events in order. */
export function partitionsOf(events: readonly Envelope[], partitions: number): Envelope[][] {
  const partitionOf = new Map<string, number>();
  const split: Envelope[][] = Array.from({ length: partitions }, () => []);
  for (const event of events) {
    const partition = partitionOf.get(event.boardId) ?? partitionOf.size % partitions;
    partitionOf.set(event.boardId, partition);
    split[partition]!.push(event);
  }
  return split;
}

/** `partitionsOf`, each partition cut into the projector's batches. */
export function partitionBatches(events: readonly Envelope[], partitions: number): Envelope[][][] {
  return partitionsOf(events, partitions).map((part) =>
    Array.from({ length: Math.ceil(part.length / liveBatch) }, (_, index) =>
      part.slice(index * liveBatch, (index + 1) * liveBatch),
    ),
  );
}

/** Every partition's batches one after the other, the partitions at the same time. */
const eachPartitionAtOnce = async <T>(partitions: readonly (readonly T[])[], apply: (batch: T) => Promise<unknown>) => {
  await Promise.all(
    partitions.map(async (batches) => {
      for (const batch of batches) await apply(batch);
    }),
  );
};

const rate = async (events: number, run: () => Promise<void>): Promise<number> => {
  const started = performance.now();
  await run();
  return events / ((performance.now() - started) / 1000);
};

/** The live path over the whole store: the relay's reads, the projector's `applyEnvelopes`. */
async function replayLive(sql: Sql, store: EventStore): Promise<void> {
  for (let after: string | null = null; ;) {
    const stored = await store.readAll({ after, streamPrefix: boardStreamPrefix, maxCount: liveBatch });
    const last = stored[stored.length - 1];
    if (!last) return;
    await applyEnvelopes(sql, stored.map(toEnvelope));
    after = last.position;
  }
}

/**
 * B5: (a) the projector's live batches of 500 into the read models vs raw batched upserts of the
 * same events' rows, events in memory, same pool, one batch after the other and then (the
 * projector's default on Kafka, ADR 0039) with the boards in two partitions applied at once, and so again
 * against raw writes that add a history row per event (the volume the live path writes); (b) a
 * full rebuild (`rebuildReadModels`: replay into fresh tables, indexes, switch) vs the live path
 * replaying the same store from the start. Real PostgreSQL, 200 boards × 207 events of a busy team's mix.
 */
export async function benchProjector(pairs: number): Promise<ProjectorBenchResult> {
  const database = await createTestDatabase('bench_b5', { max: 4 });
  const { sql } = database;
  try {
    await runMigrations(sql);
    await sql.exec(
      'CREATE TABLE raw_rows (LIKE tasks INCLUDING ALL); CREATE TABLE raw_history (LIKE board_history INCLUDING ALL)',
    );
    const store = await createSqlEventStore(sql, { schema: 'es_b5' });
    const count = await appendHistories(store, boardHistories({ boards, eventsPerBoard, seed: 5 }), 50);
    const envelopes = (await store.readAll({ streamPrefix: boardStreamPrefix })).map(toEnvelope);
    const batches = Array.from({ length: Math.ceil(count / liveBatch) }, (_, index) =>
      envelopes.slice(index * liveBatch, (index + 1) * liveBatch),
    );
    const rawBatches = batches.map(rawRows);
    log(`B5: ${count} events in the store, ${rawBatches.reduce((sum, rows) => sum + rows.length, 0)} raw upsert rows`);
    const reset = (tables: string) => sql.exec(`TRUNCATE ${tables}`);

    const projector = await interleaved({
      name: 'B5 projector, batches of 500',
      unit: 'events/s',
      pairs,
      goal: '≥ 0.5×',
      log,
      baseline: {
        label: 'raw batched upserts',
        run: async () => {
          await reset('raw_rows');
          return rate(count, async () => {
            for (const rows of rawBatches) await rawUpsert(sql, rows);
          });
        },
      },
      subject: {
        label: 'applyEnvelopes',
        run: async () => {
          await reset(readModelTables);
          return rate(count, async () => {
            for (const batch of batches) await applyEnvelopes(sql, batch);
          });
        },
      },
    });

    const partitioned = partitionBatches(envelopes, partitionsAtOnce);
    const rawPartitioned = partitioned.map((batches) => batches.map(rawRows));
    // The live path with the partitions at once: the subject of both comparisons below.
    const partitionsSubject = {
      label: `applyEnvelopes, ${partitionsAtOnce} partitions`,
      run: async () => {
        await reset(readModelTables);
        return rate(count, () => eachPartitionAtOnce(partitioned, (batch) => applyEnvelopes(sql, batch)));
      },
    };
    const atOnce = await interleaved({
      name: `B5 projector, ${partitionsAtOnce} partitions at once`,
      unit: 'events/s',
      pairs,
      goal: '≥ 0.5×',
      log,
      baseline: {
        label: `raw batched upserts, ${partitionsAtOnce} writers`,
        run: async () => {
          await reset('raw_rows');
          return rate(count, () => eachPartitionAtOnce(rawPartitioned, (rows) => rawUpsert(sql, rows)));
        },
      },
      subject: partitionsSubject,
    });

    const rawWithHistory = partitioned.map((batches) =>
      batches.map((batch): RawWrites => ({ rows: rawRows(batch), history: rawHistory(batch) })),
    );
    const sameRows = await interleaved({
      name: `B5 projector, ${partitionsAtOnce} partitions at once, vs raw writes with history rows`,
      unit: 'events/s',
      pairs,
      log,
      baseline: {
        label: `raw batched upserts + a history row per event, ${partitionsAtOnce} writers`,
        run: async () => {
          await reset('raw_rows, raw_history');
          return rate(count, () => eachPartitionAtOnce(rawWithHistory, (batch) => rawUpsertWithHistory(sql, batch)));
        },
      },
      subject: partitionsSubject,
    });

    const rebuild = await interleaved({
      name: 'B5 full rebuild from the store',
      unit: 'events/s',
      pairs,
      goal: '≥ 40000 events/s',
      log,
      baseline: {
        label: 'live path replay (readAll + applyEnvelopes)',
        run: async () => {
          await reset(readModelTables);
          return rate(count, () => replayLive(sql, store));
        },
      },
      subject: {
        label: 'rebuildReadModels',
        run: async () => (await rebuildReadModels({ sql, store })).eventsPerSecond,
      },
    });
    await store.close();
    return { events: count, projector, partitionsAtOnce: atOnce, sameRows, rebuild };
  } finally {
    await database.drop();
  }
}
