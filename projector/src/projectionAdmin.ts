import { boardStreamPrefix } from '@primetrade/domain';
import type { EventStore, Sql } from '@primetrade/platform';
import type { ProjectionAdmin, RebuildJob } from '@primetrade/read-model';
import { silentLogger, type ProjectorLogger } from './logging.js';
import { rebuildReadModels } from './rebuild.js';

export type { ProjectionAdmin, ProjectionStatus, RebuildJob } from '@primetrade/read-model';

const pendingCap = 10_000;

/**
 * Projection status and the rebuild trigger behind `/admin/projections` (one rebuild at a time per
 * process): the projector's implementation of the read model's `ProjectionAdmin` port.
 */
export function createProjectionAdmin(options: {
  readonly sql: Sql;
  readonly store: EventStore;
  readonly logger?: ProjectorLogger;
  readonly clock?: () => Date;
}): ProjectionAdmin {
  const { sql, store } = options;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? (() => new Date());
  let job: RebuildJob | null = null;
  let running: Promise<void> = Promise.resolve();

  return {
    async status() {
      const checkpoints = await sql.query<{ name: string; position: string; updated_at: Date }>(
        'SELECT name, position, updated_at FROM checkpoints ORDER BY name',
      );
      const offsets = await sql.query<{
        consumer_group: string;
        topic: string;
        kafka_partition: number;
        next_offset: string;
        updated_at: Date;
      }>(
        'SELECT consumer_group, topic, kafka_partition, next_offset::text, updated_at FROM projection_offsets ORDER BY consumer_group, topic, kafka_partition',
      );
      const [boards] = await sql.query<{ projected: number; last_applied_at: Date | null }>(
        'SELECT count(*)::int AS projected, max(updated_at) AS last_applied_at FROM projection_checkpoints WHERE last_revision >= 0',
      );
      return {
        checkpoints: await Promise.all(
          checkpoints.map(async (row) => {
            const pending = await store.readAll({
              after: row.position,
              streamPrefix: boardStreamPrefix,
              maxCount: pendingCap + 1,
            });
            return {
              name: row.name,
              position: row.position,
              updatedAt: row.updated_at.toISOString(),
              pendingEvents: Math.min(pending.length, pendingCap),
              pendingCapped: pending.length > pendingCap,
            };
          }),
        ),
        kafkaOffsets: offsets.map((row) => ({
          group: row.consumer_group,
          topic: row.topic,
          partition: Number(row.kafka_partition),
          nextOffset: row.next_offset,
          updatedAt: row.updated_at.toISOString(),
        })),
        boards: { projected: boards?.projected ?? 0, lastAppliedAt: boards?.last_applied_at?.toISOString() ?? null },
        rebuild: job,
      };
    },

    startRebuild() {
      if (job?.state === 'running') return null;
      job = {
        state: 'running',
        phase: 'starting',
        events: 0,
        startedAt: clock().toISOString(),
        finishedAt: null,
        result: null,
        error: null,
      };
      running = rebuildReadModels({
        sql,
        store,
        logger,
        onProgress: (progress) => {
          if (job) job = { ...job, phase: progress.phase, events: progress.events };
        },
      }).then(
        (result) => {
          job = {
            ...(job as RebuildJob),
            state: 'succeeded',
            phase: 'done',
            events: result.events,
            finishedAt: clock().toISOString(),
            result,
          };
        },
        (error: unknown) => {
          logger.error({ err: error }, 'rebuild requested by an admin failed; the live read models are unchanged');
          job = {
            ...(job as RebuildJob),
            state: 'failed',
            finishedAt: clock().toISOString(),
            error: error instanceof Error ? error.message : String(error),
          };
        },
      );
      return job;
    },

    rebuild: () => job,
    settled: () => running,
  };
}
