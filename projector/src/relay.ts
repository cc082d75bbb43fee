import { boardStreamPrefix } from '@primetrade/domain';
import { toEnvelope, type EventBus, type EventStore, type Metrics, type Sql, type StoredEvent, type Subscription } from '@primetrade/platform';
import { loadCheckpoint, saveCheckpoint } from './checkpoints.js';
import { silentLogger, type ProjectorLogger } from './logging.js';
import { projectorMetrics } from './observability.js';

export interface RelayOptions {
  readonly store: EventStore;
  readonly bus: EventBus;
  /** Where the checkpoint lives (table `checkpoints`). */
  readonly sql: Sql;
  readonly checkpointName?: string;
  /** Most events read from the store and published as one batch. */
  readonly batchSize?: number;
  readonly logger?: ProjectorLogger;
  readonly metrics?: Pick<Metrics, 'registry'>;
}

export interface Relay {
  start(): Promise<void>;
  /** Resolves after the batch in flight has been published and checkpointed (or has failed). */
  stop(): Promise<void>;
}

/**
 * Store → bus (DESIGN §1 step ④): follows the store's global feed of board streams from its
 * checkpoint, publishes each batch, and only then saves the batch's last position.
 * At-least-once: a crash between publish and checkpoint republishes that batch, never skips it;
 * a failed publish or checkpoint is retried from the same position by the subscription.
 */
export function createRelay(options: RelayOptions): Relay {
  const name = options.checkpointName ?? 'relay';
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ? projectorMetrics(options.metrics.registry) : null;
  let subscription: Subscription | null = null;

  async function relayBatch(stored: readonly StoredEvent[]): Promise<void> {
    const last = stored[stored.length - 1];
    if (!last) return;
    const timer = metrics?.relayBatchDuration.startTimer();
    await options.bus.publish(stored.map(toEnvelope));
    await saveCheckpoint(options.sql, name, last.position);
    timer?.();
    metrics?.relayedEvents.inc(stored.length);
    logger.debug({ events: stored.length, position: last.position }, 'relayed batch');
  }

  return {
    async start() {
      if (subscription) return;
      const after = await loadCheckpoint(options.sql, name);
      logger.info({ checkpoint: name, after }, 'relay starting');
      subscription = options.store.subscribeToAll(
        {
          after,
          streamPrefix: boardStreamPrefix,
          maxCount: options.batchSize ?? 500,
          onError: (error) => logger.warn({ err: error, checkpoint: name }, 'relay batch failed; retrying'),
        },
        relayBatch,
      );
    },
    async stop() {
      const running = subscription;
      subscription = null;
      await running?.stop();
    },
  };
}
