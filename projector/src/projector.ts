import type { Envelope } from '@primetrade/domain';
import {
  HaltPartitionError,
  correlationIdsOf,
  inEventSpans,
  keepPlan,
  reportError,
  type BusSubscription,
  type Delivery,
  type EventBus,
  type Metrics,
  type Sql,
  type SqlQueryable,
} from '@primetrade/platform';
import {
  applyAndNotify,
  applyEnvelopes,
  lockReadModelsShared,
  ProjectionGapError,
  UnknownEventTypeError,
  type ApplyResult,
  type ProjectEvents,
} from './applyBatch.js';
import { silentLogger, type ProjectorLogger } from './logging.js';
import { projectWithNotifications, type NewNotification } from './notifications/notifications.projection.js';
import { projectorMetrics } from './observability.js';

export const projectorGroup = 'projector';

export interface ProjectorOptions {
  readonly bus: EventBus;
  readonly sql: Sql;
  readonly logger?: ProjectorLogger;
  readonly metrics?: Pick<Metrics, 'registry'>;
  /** Notifications: queue e-mails with them, and push each new one once its batch committed. */
  readonly notifications?: ProjectorNotifications;
  /**
   * Kafka: partitions applied at the same time, one transaction each (docs/adr/0039). Their boards
   * are disjoint, so their transactions touch different rows. Default 2.
   */
  readonly partitionsAtOnce?: number;
}

export interface ProjectorNotifications {
  /** SMTP is configured: an outbox row per new notification (`mailOutbox.ts`). */
  readonly mail: boolean;
  /** Called after the commit; a failure is logged, never retried (the notification is stored). */
  readonly publish?: (notifications: readonly NewNotification[]) => void | Promise<void>;
}

export interface ProjectorStatus {
  readonly state: 'running' | 'halted' | 'stopped';
  readonly lastError?: string;
  /** Kafka: the partitions halted (the others keep flowing). */
  readonly haltedPartitions?: readonly number[];
}

export interface Projector {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ProjectorStatus;
}

/** Errors that a redelivery would only repeat: bad data, a broken constraint, SQL that cannot run. */
function isPoison(error: unknown): boolean {
  if (error instanceof ProjectionGapError || error instanceof UnknownEventTypeError || error instanceof TypeError)
    return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|42)/.test(code);
}

/**
 * Bus → read models (docs/architecture.md), consumer group `projector`.
 * A failing batch is rejected so the bus redelivers it (the revision guard absorbs the repeats).
 * A revision gap, an event type it cannot project, or an event the read models cannot take
 * (poison) HALTS: the projector stays subscribed and rejects every delivery, so the relay stops
 * advancing and nothing is lost — the projector never guesses and never skips. Readiness reports
 * it; recovery is fixing the cause and restarting (or a rebuild).
 */
export function createProjector(options: ProjectorOptions): Projector {
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ? projectorMetrics(options.metrics.registry) : null;
  let subscription: BusSubscription | null = null;
  let status: ProjectorStatus = { state: 'stopped' };
  const haltedPartitions = new Set<number>();
  const project = projectWithNotifications({ mail: options.notifications?.mail ?? false });

  /** After the commit: a push that fails loses nothing (the list has it), so it is only logged. */
  async function publish(notifications: readonly NewNotification[]): Promise<void> {
    const publishNotifications = options.notifications?.publish;
    if (notifications.length === 0 || !publishNotifications) return;
    try {
      await publishNotifications(notifications);
    } catch (error) {
      logger.warn({ err: error, notifications: notifications.length }, 'could not push notifications; they are stored');
    }
  }

  /** Records and logs a halt (the alarm); the caller throws. */
  function recordHalt(error: unknown, events: readonly Envelope[], partition: number | undefined): void {
    const message = error instanceof Error ? error.message : String(error);
    if (partition !== undefined) haltedPartitions.add(partition);
    status = {
      state: 'halted',
      lastError: message,
      ...(haltedPartitions.size > 0 ? { haltedPartitions: [...haltedPartitions].sort((a, b) => a - b) } : {}),
    };
    metrics?.projectionHalted.inc();
    metrics?.haltedPartitions.set(Math.max(1, haltedPartitions.size));
    reportError(error, {
      component: 'projector',
      halted: true,
      partition,
      boardId: events[0]?.boardId,
      fromRevision: events[0]?.revision,
      correlationIds: correlationIdsOf(events),
    });
    if (error instanceof ProjectionGapError) {
      logger.error(
        { boardId: error.boardId, expected: error.expected, got: error.got },
        'projector halted on a revision gap',
      );
    } else if (error instanceof UnknownEventTypeError) {
      logger.error(
        { boardId: error.boardId, revision: error.revision, type: error.type },
        'projector halted on an unknown event type',
      );
    } else {
      const first = events[0];
      logger.error(
        {
          err: error,
          boardId: first?.boardId,
          fromRevision: first?.revision,
          events: events.length,
          correlationIds: correlationIdsOf(events),
        },
        'projector halted on an event the read models cannot take',
      );
    }
  }

  /** Lag once a batch is in: its newest event's age, and what the bus still holds behind it. */
  function recordLag(events: readonly Envelope[], delivery: Delivery | undefined): void {
    if (!metrics) return;
    const newest = Math.max(...events.map((event) => Date.parse(event.occurredAt)).filter(Number.isFinite));
    if (Number.isFinite(newest)) metrics.projectionLagSeconds.set(Math.max(0, Date.now() - newest) / 1000);
    // The in-process bus hands over everything the relay published at once: nothing waits on it.
    metrics.projectionLagRevisions.set(
      { partition: delivery ? String(delivery.partition) : 'all' },
      delivery?.remaining ?? 0,
    );
  }

  function handle(events: readonly Envelope[], delivery?: Delivery): Promise<void> {
    return inEventSpans(
      'projector.apply',
      { attributes: { 'primetrade.partition': delivery?.partition ?? -1 } },
      events,
      (traced) => projectBatch(traced, delivery),
    );
  }

  async function projectBatch(events: readonly Envelope[], delivery?: Delivery): Promise<void> {
    // Kafka halts partition by partition; the in-process bus has no partitions, so a halt there stops everything.
    if (!delivery && status.state !== 'running')
      throw new Error(`The projector is ${status.state}: ${status.lastError ?? ''}`);
    const timer = metrics?.projectionBatchDuration.startTimer();
    try {
      const result = delivery
        ? await applyWithOffsets(options.sql, events, delivery, { logger, project })
        : await applyEnvelopes(options.sql, events, project);
      await publish(result.notifications);
      metrics?.projectedEvents.inc({ result: 'applied' }, result.applied);
      metrics?.projectedEvents.inc({ result: 'skipped' }, result.skipped);
      recordLag(events, delivery);
      logger.debug(
        { applied: result.applied, skipped: result.skipped, correlationIds: correlationIdsOf(events) },
        'projected batch',
      );
      // A consumer restart redelivers a halted partition; if it now applies, the halt is over.
      if (delivery && haltedPartitions.delete(delivery.partition)) {
        logger.info({ partition: delivery.partition }, 'projector partition flows again');
        status =
          haltedPartitions.size === 0
            ? { state: 'running' }
            : { ...status, haltedPartitions: [...haltedPartitions].sort((a, b) => a - b) };
        metrics?.haltedPartitions.set(haltedPartitions.size);
      }
    } catch (error) {
      if (isPoison(error)) {
        recordHalt(error, events, delivery?.partition);
        throw delivery ? new HaltPartitionError(error) : error;
      }
      logger.warn(
        { err: error, events: events.length, correlationIds: correlationIdsOf(events) },
        'projection batch failed; it will be redelivered',
      );
      throw error;
    } finally {
      timer?.();
    }
  }

  return {
    async start() {
      if (status.state === 'running') return;
      status = { state: 'running' };
      haltedPartitions.clear();
      metrics?.haltedPartitions.set(0);
      subscription = await options.bus.subscribe(projectorGroup, handle, {
        fromBeginning: true,
        partitionsAtOnce: options.partitionsAtOnce ?? 2,
      });
    },
    async stop() {
      const running = subscription;
      subscription = null;
      await running?.stop();
      if (status.state === 'running') status = { state: 'stopped' };
    },
    status: () => status,
  };
}

/**
 * Kafka: the batch's read-model changes and the partition's next offset commit together, so the
 * stored offsets always describe what the read models hold. Every message still goes through the
 * per-board revision guard, which alone decides what is a duplicate: a topic recreated from offset 0
 * (or a rewound consumer) cannot make the projector skip events it never applied.
 */
interface OffsetBatchOptions {
  readonly logger: ProjectorLogger;
  readonly project: ProjectEvents;
}

async function applyWithOffsets(
  sql: Sql,
  events: readonly Envelope[],
  delivery: Delivery,
  options: OffsetBatchOptions,
): Promise<ApplyResult> {
  const { logger } = options;
  return sql.tx(async (tx) => {
    await lockReadModelsShared(tx);
    const next = await lockOffset(tx, delivery);
    const first = BigInt(delivery.offsets[0] ?? '0');
    const last = BigInt(delivery.offsets[delivery.offsets.length - 1] ?? '-1');
    // The partition's next offset goes with the batch's last writes (the row is locked since `lockOffset`).
    const result = await applyAndNotify(tx, events, options.project, (writer) =>
      writer.write(offsetUpdate, [projectorGroup, delivery.topic, delivery.partition, (last + 1n).toString()]),
    );
    if (result.applied > 0 && first < next) {
      logger.warn(
        { topic: delivery.topic, partition: delivery.partition, storedNext: next.toString(), first: first.toString() },
        'new events below the stored offset: the topic was recreated or rewound',
      );
    }
    return result;
  });
}

/** Planned in a few microseconds: it rides in the batch's last script, no round trip of its own (ADR 0040). */
const offsetUpdate = `UPDATE projection_offsets SET next_offset = GREATEST(next_offset, $4::bigint), updated_at = now()
   WHERE consumer_group = $1 AND topic = $2 AND kafka_partition = $3`;

/**
 * The partition's stored next offset, its row locked until commit (created at 0 the first time): one
 * upsert that "updates" an existing row to itself, which locks it and returns its latest committed
 * value, as `lockCheckpoints` does for boards.
 */
const offsetLock = keepPlan(
  `INSERT INTO projection_offsets AS o (consumer_group, topic, kafka_partition, next_offset) VALUES ($1, $2, $3, 0)
   ON CONFLICT (consumer_group, topic, kafka_partition) DO UPDATE SET next_offset = o.next_offset
   RETURNING next_offset::text`,
);

async function lockOffset(tx: SqlQueryable, delivery: Delivery): Promise<bigint> {
  const rows = await tx.query<{ next_offset: string }>(offsetLock, [
    projectorGroup,
    delivery.topic,
    delivery.partition,
  ]);
  return BigInt(rows[0]?.next_offset ?? '0');
}

/** The projector's stored position per partition (ops, tests). */
export async function projectionOffsets(sql: SqlQueryable, topic: string): Promise<Map<number, bigint>> {
  const rows = await sql.query<{ kafka_partition: number; next_offset: string }>(
    'SELECT kafka_partition, next_offset::text FROM projection_offsets WHERE consumer_group = $1 AND topic = $2',
    [projectorGroup, topic],
  );
  return new Map(rows.map((row) => [Number(row.kafka_partition), BigInt(row.next_offset)]));
}
