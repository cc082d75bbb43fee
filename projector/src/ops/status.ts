import {
  readTopicOffsets,
  readTxidState,
  UnrebasedRestoreError,
  type Logger,
  type OpsConfig,
  type TxidState,
} from '@primetrade/platform';
import { createProjectionAdmin, type ProjectionStatus } from '../projectionAdmin.js';
import { projectorGroup } from '../projector.js';
import type { OpsConnections } from './connections.js';

export interface PartitionLag {
  readonly group: string;
  readonly partition: number;
  /** The broker's high watermark: the next offset to be written. */
  readonly endOffset: string;
  /** The group's committed offset in Kafka (null: never committed). */
  readonly committedOffset: string | null;
  /** The projector's own offset, stored with the read models (its source of truth). */
  readonly storedOffset: string | null;
  readonly lag: string;
}

export interface OpsStatus {
  readonly projections: ProjectionStatus | null;
  /** Why the projection status is missing (e.g. the store refuses to open). */
  readonly projectionsError: string | null;
  readonly kafka: { readonly topic: string; readonly partitions: readonly PartitionLag[] } | null;
  readonly kafkaError: string | null;
  readonly txids:
    | (Omit<TxidState, 'maxStored' | 'nextFeedId' | 'offset'> & {
        maxStored: string | null;
        nextFeedId: string;
        offset: string;
      })
    | null;
}

const realtimeGroup = 'realtime';

async function kafkaLag(
  config: OpsConfig,
  stored: ProjectionStatus['kafkaOffsets'],
  logger: Logger,
): Promise<PartitionLag[]> {
  const offsets = await readTopicOffsets(
    config.kafkaBrokers,
    config.kafkaTopic,
    [projectorGroup, realtimeGroup],
    logger,
  );
  return [projectorGroup, realtimeGroup].flatMap((group) =>
    offsets.partitions.map((end) => {
      const committedOffset = offsets.committed.get(group)?.get(end.partition) ?? null;
      const storedOffset =
        group === projectorGroup
          ? (stored.find(
              (row) => row.group === group && row.topic === config.kafkaTopic && row.partition === end.partition,
            )?.nextOffset ?? null)
          : null;
      // The projector's stored offset is what counts for it; the realtime group only has Kafka's.
      const consumed = BigInt(storedOffset ?? committedOffset ?? end.low);
      return {
        group,
        partition: end.partition,
        endOffset: end.high,
        committedOffset,
        storedOffset,
        lag: (BigInt(end.high) - consumed).toString(),
      };
    }),
  );
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `status`: every feed's position and lag. Parts that cannot be read are reported, not fatal. */
export async function collectStatus(
  config: OpsConfig,
  connections: OpsConnections,
  logger: Logger,
): Promise<OpsStatus> {
  const sql = await connections.readModels();
  let projections: ProjectionStatus | null = null;
  let projectionsError: string | null = null;
  try {
    projections = await createProjectionAdmin({ sql, store: await connections.store() }).status();
  } catch (error) {
    projectionsError =
      error instanceof UnrebasedRestoreError
        ? 'the event store needs `rebase-txids` (restored from a logical dump)'
        : message(error);
  }
  let kafka: OpsStatus['kafka'] = null;
  let kafkaError: string | null = config.kafkaBrokers.length === 0 ? 'KAFKA_BROKERS not set' : null;
  if (!kafkaError) {
    try {
      kafka = { topic: config.kafkaTopic, partitions: await kafkaLag(config, projections?.kafkaOffsets ?? [], logger) };
    } catch (error) {
      kafkaError = message(error);
    }
  }
  const state = config.eventStore === 'postgres' ? await readTxidState(connections.storeSql()) : null;
  const txids = state && {
    ...state,
    maxStored: state.maxStored?.toString() ?? null,
    nextFeedId: state.nextFeedId.toString(),
    offset: state.offset.toString(),
  };
  return { projections, projectionsError, kafka, kafkaError, txids };
}

/** The human form of `status`. */
export function formatStatus(status: OpsStatus): string {
  const lines: string[] = [];
  const p = status.projections;
  lines.push('relay checkpoints:');
  if (!p) lines.push(`  unavailable: ${status.projectionsError ?? 'unknown'}`);
  for (const c of p?.checkpoints ?? [])
    lines.push(
      `  ${c.name}  position ${c.position}  pending ${c.pendingEvents}${c.pendingCapped ? '+' : ''}  updated ${c.updatedAt}`,
    );
  if (p && p.checkpoints.length === 0) lines.push('  none (no relay has run)');
  lines.push(
    `projected boards: ${p ? `${p.boards.projected} (last applied ${p.boards.lastAppliedAt ?? 'never'})` : 'unavailable'}`,
  );
  lines.push(`kafka${status.kafka ? ` topic ${status.kafka.topic}` : ''}:`);
  if (!status.kafka) lines.push(`  unavailable: ${status.kafkaError ?? 'unknown'}`);
  for (const row of status.kafka?.partitions ?? []) {
    lines.push(
      `  ${row.group.padEnd(9)} partition ${String(row.partition).padStart(3)}  end ${row.endOffset}  committed ${row.committedOffset ?? '-'}  stored ${row.storedOffset ?? '-'}  lag ${row.lag}`,
    );
  }
  const t = status.txids;
  if (t)
    lines.push(
      `event store txids: max stored ${t.maxStored ?? 'none'}, next ${t.nextFeedId}, offset ${t.offset}${t.needsRebase ? '  NEEDS rebase-txids' : ''}`,
    );
  return `${lines.join('\n')}\n`;
}
