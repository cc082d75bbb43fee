import { boardStreamPrefix } from '@primetrade/domain';
import type { EventStore, Sql } from '@primetrade/platform';
import { silentLogger, type ProjectorLogger } from './logging.js';
import { rebuildReadModels, type RebuildProgress, type RebuildResult } from './rebuild.js';

/** How far each feed has come: the relay in the store, the projector in Kafka and in the boards. */
export interface ProjectionStatus {
  readonly checkpoints: readonly { name: string; position: string; updatedAt: string; pendingEvents: number; pendingCapped: boolean }[];
  readonly kafkaOffsets: readonly { group: string; topic: string; partition: number; nextOffset: string; updatedAt: string }[];
  readonly boards: { readonly projected: number; readonly lastAppliedAt: string | null };
  readonly rebuild: RebuildJob | null;
}

export interface RebuildJob {
  readonly state: 'running' | 'succeeded' | 'failed';
  readonly phase: RebuildProgress['phase'] | 'starting' | 'done';
  readonly events: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly result: RebuildResult | null;
  readonly error: string | null;
}

export interface ProjectionAdmin {
  status(): Promise<ProjectionStatus>;
  /** Starts a rebuild in the background; null when one is already running. */
  startRebuild(): RebuildJob | null;
  /** The running or last rebuild. */
  rebuild(): RebuildJob | null;
  /** Resolves when a running rebuild has ended (graceful shutdown, tests). */
  settled(): Promise<void>;
}

const pendingCap = 10_000;

/** Projection status and the rebuild trigger behind `/admin/projections` (one rebuild at a time per process). */
export function createProjectionAdmin(options: { readonly sql: Sql; readonly store: EventStore; readonly logger?: ProjectorLogger; readonly clock?: () => Date }): ProjectionAdmin {
  const { sql, store } = options;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? (() => new Date());
  let job: RebuildJob | null = null;
  let running: Promise<void> = Promise.resolve();

  return {
    async status() {
      const checkpoints = await sql.query<{ name: string; position: string; updated_at: Date }>('SELECT name, position, updated_at FROM checkpoints ORDER BY name');
      const offsets = await sql.query<{ consumer_group: string; topic: string; kafka_partition: number; next_offset: string; updated_at: Date }>(
        'SELECT consumer_group, topic, kafka_partition, next_offset::text, updated_at FROM projection_offsets ORDER BY consumer_group, topic, kafka_partition',
      );
      const [boards] = await sql.query<{ projected: number; last_applied_at: Date | null }>(
        'SELECT count(*)::int AS projected, max(updated_at) AS last_applied_at FROM projection_checkpoints WHERE last_revision >= 0',
      );
      return {
        checkpoints: await Promise.all(
          checkpoints.map(async (row) => {
            const pending = await store.readAll({ after: row.position, streamPrefix: boardStreamPrefix, maxCount: pendingCap + 1 });
            return { name: row.name, position: row.position, updatedAt: row.updated_at.toISOString(), pendingEvents: Math.min(pending.length, pendingCap), pendingCapped: pending.length > pendingCap };
          }),
        ),
        kafkaOffsets: offsets.map((row) => ({ group: row.consumer_group, topic: row.topic, partition: Number(row.kafka_partition), nextOffset: row.next_offset, updatedAt: row.updated_at.toISOString() })),
        boards: { projected: boards?.projected ?? 0, lastAppliedAt: boards?.last_applied_at?.toISOString() ?? null },
        rebuild: job,
      };
    },

    startRebuild() {
      if (job?.state === 'running') return null;
      job = { state: 'running', phase: 'starting', events: 0, startedAt: clock().toISOString(), finishedAt: null, result: null, error: null };
      running = rebuildReadModels({
        sql,
        store,
        logger,
        onProgress: (progress) => {
          if (job) job = { ...job, phase: progress.phase, events: progress.events };
        },
      }).then(
        (result) => {
          job = { ...(job as RebuildJob), state: 'succeeded', phase: 'done', events: result.events, finishedAt: clock().toISOString(), result };
        },
        (error: unknown) => {
          logger.error({ err: error }, 'rebuild requested by an admin failed; the live read models are unchanged');
          job = { ...(job as RebuildJob), state: 'failed', finishedAt: clock().toISOString(), error: error instanceof Error ? error.message : String(error) };
        },
      );
      return job;
    },

    rebuild: () => job,
    settled: () => running,
  };
}
