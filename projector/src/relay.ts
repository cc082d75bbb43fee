import { boardStreamPrefix } from '@primetrade/domain';
import {
  ProducerFencedError,
  SpanKind,
  correlationIdsOf,
  inEventSpans,
  toEnvelope,
  type EventBus,
  type EventStore,
  type Metrics,
  type Sql,
  type StoredEvent,
  type Subscription,
} from '@primetrade/platform';
import { loadCheckpoint, saveNextCheckpoint } from './checkpoints.js';
import { silentLogger, type ProjectorLogger } from './logging.js';
import { projectorMetrics } from './observability.js';
import { LeaseLostError, type LeaderLease } from './relayLease.js';

export interface RelayOptions {
  readonly store: EventStore;
  readonly bus: EventBus;
  /** Where the checkpoint lives (table `checkpoints`). */
  readonly sql: Sql;
  readonly checkpointName?: string;
  /** Most events read from the store and published as one batch. Default 500. */
  readonly batchSize?: number;
  /**
   * Cluster mode: only the holder of this lease relays; the others wait as standbys and take
   * over when it expires. Without one (embedded: one process) the relay runs at once.
   */
  readonly lease?: LeaderLease;
  readonly logger?: ProjectorLogger;
  readonly metrics?: Pick<Metrics, 'registry'> &
    Partial<Pick<Metrics, 'relayCommitToAck' | 'relayLeader' | 'relayLagEvents'>>;
}

export interface RelayStatus {
  readonly role: 'leader' | 'standby' | 'stopped';
  readonly epoch: string | null;
  readonly checkpoint: string | null;
}

export interface Relay {
  start(): Promise<void>;
  /** Resolves after the batch in flight has been published and checkpointed (or has failed); releases the lease. */
  stop(): Promise<void>;
  status(): RelayStatus;
}

/**
 * Store → bus (docs/architecture.md): follows the store's global feed of board streams from its
 * checkpoint, publishes each batch, and only after the bus acked it moves the checkpoint forward.
 * At-least-once: a crash between ack and checkpoint republishes that batch, never skips it.
 *
 * With a lease, one relay is active at a time: it renews every third of the lease's life, checks
 * the lease by its own monotonic clock before every publish, and writes its checkpoint only while
 * the lease row still carries its epoch — so a relay that was paused and woke up after a standby
 * took over publishes nothing more and steps down.
 */
export function createRelay(options: RelayOptions): Relay {
  const name = options.checkpointName ?? 'relay';
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ? projectorMetrics(options.metrics.registry) : null;
  const { lease } = options;
  let subscription: Subscription | null = null;
  let checkpoint: string | null = null;
  let running = false;
  let campaignTimer: NodeJS.Timeout | null = null;
  let lagTimer: NodeJS.Timeout | null = null;
  let campaigning: Promise<void> | null = null;
  let steppingDown: Promise<void> | null = null;

  async function relayBatch(stored: readonly StoredEvent[]): Promise<void> {
    const last = stored[stored.length - 1];
    if (!last) return;
    const epoch = lease?.epoch() ?? null;
    if (lease && (epoch === null || !lease.isValid())) {
      // The subscription retries this batch; stepping down stops it first.
      void stepDown('lease no longer certain before publishing');
      throw new LeaseLostError(`Relay ${name} is not the leader`);
    }
    const timer = metrics?.relayBatchDuration.startTimer();
    const envelopes = stored.map(toEnvelope);
    try {
      await inEventSpans(
        'relay.publish',
        { kind: SpanKind.PRODUCER, attributes: { 'primetrade.checkpoint': name } },
        envelopes,
        async (traced) => {
          const headers =
            epoch === null ? undefined : { 'relay-epoch': epoch.toString(), 'relay-holder': lease?.holder ?? '' };
          await options.bus.publish(traced, headers ? { headers } : {});
        },
      );
    } catch (error) {
      // The broker already serves a newer relay (this one was frozen past its lease): stand down.
      if (error instanceof ProducerFencedError) void stepDown('fenced by a newer relay at the broker');
      throw error;
    }
    const ackedAt = Date.now();
    for (const event of stored)
      options.metrics?.relayCommitToAck?.observe(Math.max(0, ackedAt - event.recordedAt.getTime()) / 1000);
    try {
      // The feed delivers positions in order from the one `follow` loaded, and the fence keeps every
      // other relay off the row: the one-statement write needs no comparison.
      await saveNextCheckpoint(options.sql, {
        name,
        position: last.position,
        ...(lease && epoch !== null ? { fence: { lease: lease.name, holder: lease.holder, epoch } } : {}),
      });
    } catch (error) {
      if (error instanceof LeaseLostError) void stepDown('another relay took the lease');
      throw error;
    }
    checkpoint = last.position;
    timer?.();
    metrics?.relayedEvents.inc(stored.length);
    logger.debug(
      { events: stored.length, position: last.position, correlationIds: correlationIdsOf(envelopes) },
      'relayed batch',
    );
  }

  async function follow(): Promise<void> {
    checkpoint = await loadCheckpoint(options.sql, name);
    logger.info({ checkpoint: name, after: checkpoint, epoch: lease?.epoch()?.toString() }, 'relay starting');
    subscription = options.store.subscribeToAll(
      {
        after: checkpoint,
        streamPrefix: boardStreamPrefix,
        maxCount: options.batchSize ?? 500,
        onError: (error) => {
          if (!(error instanceof LeaseLostError))
            logger.warn({ err: error, checkpoint: name }, 'relay batch failed; retrying');
        },
      },
      relayBatch,
    );
    options.metrics?.relayLeader?.set(1);
  }

  function stepDown(reason: string): Promise<void> {
    steppingDown ??= (async () => {
      logger.warn({ checkpoint: name, reason }, 'relay stepping down');
      options.metrics?.relayLeader?.set(0);
      const current = subscription;
      subscription = null;
      await current?.stop();
    })().finally(() => {
      steppingDown = null;
    });
    return steppingDown;
  }

  /** One round: keep or take the lease; start or stop following the store accordingly. */
  async function campaign(): Promise<void> {
    if (!lease || !running) return;
    const wasLeader = subscription !== null;
    let epoch: bigint | null;
    try {
      epoch = await lease.campaign();
    } catch (error) {
      logger.warn({ err: error, lease: lease.name }, 'relay lease round failed');
      if (wasLeader && !lease.isValid()) await stepDown('lease could not be renewed in time');
      return;
    }
    if (epoch === null && wasLeader) await stepDown('lease taken by another relay');
    if (epoch !== null && !wasLeader && running) {
      await steppingDown;
      logger.info({ lease: lease.name, holder: lease.holder, epoch: epoch.toString() }, 'relay is the leader');
      // A producer left from an earlier term was fenced by whoever led since: start a fresh one.
      await resetProducer();
      try {
        await follow();
      } catch (error) {
        // Not following yet (the checkpoint could not be read): the next round tries again.
        subscription = null;
        logger.warn(
          { err: error, lease: lease.name },
          'relay could not start following the store; retrying next round',
        );
      }
    }
  }

  async function resetProducer(): Promise<void> {
    await options.bus.resetProducer();
  }

  async function measureLag(): Promise<void> {
    if (!subscription || !options.metrics?.relayLagEvents) return;
    const pending = await options.store.readAll({
      after: checkpoint,
      streamPrefix: boardStreamPrefix,
      maxCount: 10_000,
    });
    options.metrics.relayLagEvents.set(pending.length);
  }

  return {
    async start() {
      if (running) return;
      running = true;
      lagTimer = setInterval(() => void measureLag().catch(() => undefined), 5_000);
      lagTimer.unref();
      if (!lease) {
        await follow();
        return;
      }
      options.metrics?.relayLeader?.set(0);
      const round = () => {
        campaigning ??= campaign()
          .catch((error: unknown) => logger.error({ err: error, lease: lease.name }, 'relay lease round failed'))
          .finally(() => {
            campaigning = null;
          });
        return campaigning;
      };
      await round();
      if (subscription === null) logger.info({ lease: lease.name, holder: lease.holder }, 'relay on standby');
      campaignTimer = setInterval(() => void round(), Math.max(200, Math.floor(lease.ttlMs / 3)));
    },
    async stop() {
      running = false;
      if (campaignTimer) clearInterval(campaignTimer);
      if (lagTimer) clearInterval(lagTimer);
      await campaigning;
      const current = subscription;
      subscription = null;
      await current?.stop();
      await steppingDown;
      options.metrics?.relayLeader?.set(0);
      await lease
        ?.release()
        .catch((error: unknown) => logger.warn({ err: error }, 'relay could not release its lease'));
    },
    status: () => ({
      role: !running ? 'stopped' : subscription ? 'leader' : 'standby',
      epoch: lease?.epoch()?.toString() ?? null,
      checkpoint,
    }),
  };
}
