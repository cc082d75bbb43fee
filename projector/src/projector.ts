import type { Envelope } from '@primetrade/domain';
import type { BusSubscription, EventBus, Metrics, Sql } from '@primetrade/platform';
import { applyEnvelopes, ProjectionGapError, UnknownEventTypeError } from './applyBatch.js';
import { silentLogger, type ProjectorLogger } from './logging.js';
import { projectorMetrics } from './observability.js';

export const projectorGroup = 'projector';

export interface ProjectorOptions {
  readonly bus: EventBus;
  readonly sql: Sql;
  readonly logger?: ProjectorLogger;
  readonly metrics?: Pick<Metrics, 'registry'>;
}

export interface ProjectorStatus {
  readonly state: 'running' | 'halted' | 'stopped';
  readonly lastError?: string;
}

export interface Projector {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ProjectorStatus;
}

/**
 * Bus → read models (DESIGN §1 step ⑤), consumer group `projector`.
 * A failing batch is rejected so the bus redelivers it (the revision guard absorbs the repeats).
 * A revision gap (or an event type it cannot project) HALTS: the batch is rejected, the
 * subscription stopped, an error logged — the projector never guesses what the missing events
 * were. Recovery is a restart or a rebuild.
 */
export function createProjector(options: ProjectorOptions): Projector {
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ? projectorMetrics(options.metrics.registry) : null;
  let subscription: BusSubscription | null = null;
  let status: ProjectorStatus = { state: 'stopped' };

  function halt(error: ProjectionGapError | UnknownEventTypeError): never {
    status = { state: 'halted', lastError: error.message };
    metrics?.projectionHalted.inc();
    if (error instanceof ProjectionGapError) {
      logger.error({ boardId: error.boardId, expected: error.expected, got: error.got }, 'projector halted on a revision gap');
    } else {
      logger.error({ boardId: error.boardId, revision: error.revision, type: error.type }, 'projector halted on an unknown event type');
    }
    // Not awaited: stopping waits for this very delivery to finish.
    void subscription?.stop();
    subscription = null;
    throw error;
  }

  async function handle(events: readonly Envelope[]): Promise<void> {
    if (status.state !== 'running') throw new Error(`The projector is ${status.state}`);
    const timer = metrics?.projectionBatchDuration.startTimer();
    try {
      const result = await applyEnvelopes(options.sql, events);
      metrics?.projectedEvents.inc({ result: 'applied' }, result.applied);
      metrics?.projectedEvents.inc({ result: 'skipped' }, result.skipped);
      if (result.skipped > 0) logger.debug({ skipped: result.skipped }, 'duplicates skipped');
    } catch (error) {
      if (error instanceof ProjectionGapError || error instanceof UnknownEventTypeError) halt(error);
      logger.warn({ err: error, events: events.length }, 'projection batch failed; it will be redelivered');
      throw error;
    } finally {
      timer?.();
    }
  }

  return {
    async start() {
      if (status.state === 'running') return;
      status = { state: 'running' };
      subscription = await options.bus.subscribe(projectorGroup, handle);
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
