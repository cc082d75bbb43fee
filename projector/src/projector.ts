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

/** Errors that a redelivery would only repeat: bad data, a broken constraint, SQL that cannot run. */
function isPoison(error: unknown): boolean {
  if (error instanceof ProjectionGapError || error instanceof UnknownEventTypeError || error instanceof TypeError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|42)/.test(code);
}

/**
 * Bus → read models (DESIGN §1 step ⑤), consumer group `projector`.
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

  function halt(error: unknown, events: readonly Envelope[]): never {
    const message = error instanceof Error ? error.message : String(error);
    status = { state: 'halted', lastError: message };
    metrics?.projectionHalted.inc();
    if (error instanceof ProjectionGapError) {
      logger.error({ boardId: error.boardId, expected: error.expected, got: error.got }, 'projector halted on a revision gap');
    } else if (error instanceof UnknownEventTypeError) {
      logger.error({ boardId: error.boardId, revision: error.revision, type: error.type }, 'projector halted on an unknown event type');
    } else {
      const first = events[0];
      logger.error({ err: error, boardId: first?.boardId, fromRevision: first?.revision, events: events.length }, 'projector halted on an event the read models cannot take');
    }
    throw error;
  }

  async function handle(events: readonly Envelope[]): Promise<void> {
    if (status.state !== 'running') throw new Error(`The projector is ${status.state}: ${status.lastError ?? ''}`);
    const timer = metrics?.projectionBatchDuration.startTimer();
    try {
      const result = await applyEnvelopes(options.sql, events);
      metrics?.projectedEvents.inc({ result: 'applied' }, result.applied);
      metrics?.projectedEvents.inc({ result: 'skipped' }, result.skipped);
      if (result.skipped > 0) logger.debug({ skipped: result.skipped }, 'duplicates skipped');
    } catch (error) {
      if (isPoison(error)) halt(error, events);
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
