import type { Envelope } from '@primetrade/domain';
import {
  correlationIdsOf,
  createBreaker,
  type BreakerState,
  type BusSubscription,
  type EventBus,
  type Metrics,
  type Sql,
} from '@primetrade/platform';
import {
  SearchGapError,
  createProjectionProgress,
  isUuid,
  searchChangeFromReadModel,
  type ProjectionProgress,
  type SearchBoardChange,
  type SearchIndex,
} from '@primetrade/read-model';
import { silentLogger, type ProjectorLogger } from '../logging.js';
import { searchTouches, type SearchTouch } from './searchTouches.js';

/** The consumer group of the search projection: its own offsets (Kafka) or its own relay checkpoint (embedded). */
export const searchGroup = 'search';

/** See `SearchProjectionOptions.gatherMs`. */
export const defaultGatherMs = 100;

export interface SearchProjectionOptions {
  readonly bus: EventBus;
  /** The read models the documents are read from. */
  readonly sql: Sql;
  readonly index: SearchIndex;
  readonly logger?: ProjectorLogger;
  readonly metrics?: Pick<Metrics, 'breakerState'>;
  /**
   * How long a batch waits for the read models to reach its revisions before it is retried. Default 5 s:
   * with the write timeout and the longest pause, a Kafka batch stays well inside the 30 s session.
   */
  readonly readModelWaitMs?: number;
  /** Pause after a failed batch, doubling per failure in a row: [first, most]. Default [200, 5000] ms. */
  readonly backoffMs?: readonly [number, number];
  /** A write slower than this fails (and counts for the breaker). Default 10 s. */
  readonly writeTimeoutMs?: number;
  /** How long the breaker stays open before a trial write. Default 5 s. */
  readonly breakerResetMs?: number;
  /**
   * Cluster: how long a Kafka fetch may wait to gather more writes into one batch (SubscribeOptions
   * `gatherMs`). Default 100 ms: search may lag the read models that much more, and each write
   * costs a fraction of the CPU it would alone (docs/adr/0034).
   */
  readonly gatherMs?: number;
}

export interface SearchProjectionStatus {
  /** `retrying`: the last batch failed (index down, read models behind); it is being delivered again. */
  readonly state: 'running' | 'retrying' | 'stopped';
  readonly breaker: BreakerState;
  readonly failuresInARow: number;
  readonly lastError?: string;
  readonly appliedChanges: number;
}

export interface SearchProjection {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): SearchProjectionStatus;
}

/** The read models did not reach a batch's revisions in time (projector behind or halted). */
export class ReadModelsBehindError extends Error {
  override readonly name = 'ReadModelsBehindError';
}

/**
 * Bus → search index (docs/adr/0026-search-projection.md). Per batch and board: the touched tasks
 * and the batch's last revision; it waits until the read models reached that revision (the
 * projection-progress waiter, ADR 0014), reads the whole documents and the members from them in one
 * snapshot (`searchChangeFromReadModel`), stamps the change with the batch's revision and applies it
 * through a breaker. The index's per-board guard drops what was applied already, so a redelivered
 * batch changes nothing. A failed batch is rejected after a growing pause: the bus delivers it again
 * (Kafka keeps the group's offsets, the embedded relay its checkpoint), nothing is skipped.
 */
export function createSearchProjection(options: SearchProjectionOptions): SearchProjection {
  const logger = options.logger ?? silentLogger;
  const [firstPauseMs, mostPauseMs] = options.backoffMs ?? [200, 5_000];
  const progress: ProjectionProgress = createProjectionProgress(options.sql);
  /** The index checks each board for a gap, then writes: its guard drops the rest of what was applied already. */
  const write = (changes: readonly SearchBoardChange[]): Promise<void> => options.index.apply(changes);
  const breaker = createBreaker('search-index', write, {
    timeoutMs: options.writeTimeoutMs ?? 10_000,
    resetTimeoutMs: options.breakerResetMs ?? 5_000,
    volumeThreshold: 3,
    isExpectedError: (error) => error instanceof SearchGapError,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  let subscription: BusSubscription | null = null;
  let state: SearchProjectionStatus['state'] = 'stopped';
  let failuresInARow = 0;
  let appliedChanges = 0;
  let lastError: string | undefined;
  let wake: (() => void) | null = null;
  // A function, not a narrowed variable: `stop` may run while a batch awaits.
  const stopped = () => state === 'stopped';

  async function changesOf(touches: readonly SearchTouch[]): Promise<SearchBoardChange[]> {
    const targets = new Map(touches.map((touch) => [touch.boardId, touch.revision]));
    if (!(await progress.waitForBoards(targets, options.readModelWaitMs ?? 5_000)))
      throw new ReadModelsBehindError(
        `the read models did not reach the batch's revisions of ${targets.size} board(s)`,
      );
    const changes: SearchBoardChange[] = [];
    for (const touch of touches) {
      const change = await searchChangeFromReadModel(options.sql, touch.boardId, touch.taskIds);
      if (!change) throw new ReadModelsBehindError(`board ${touch.boardId} is not in the read models`);
      // The documents are at the read models' revision or later; the stamp is the batch's, so the
      // next batch of this board (above it) is not taken for a replay (ADR 0026, "Stamps").
      changes.push({ ...change, revision: touch.revision, fromRevision: touch.fromRevision });
    }
    return changes;
  }

  async function handle(events: readonly Envelope[]): Promise<void> {
    if (stopped()) throw new Error('The search projection is stopped');
    try {
      const touches = searchTouches(events).filter((touch) => isUuid(touch.boardId));
      const changes = await changesOf(touches);
      await breaker.fire(changes);
      appliedChanges += changes.length;
      if (failuresInARow > 0) logger.info({ after: failuresInARow }, 'search index writes flow again');
      failuresInARow = 0;
      // A batch that ends after `stop` leaves the projection stopped.
      if (!stopped()) state = 'running';
    } catch (error) {
      failuresInARow += 1;
      lastError = error instanceof Error ? error.message : String(error);
      if (!stopped()) state = 'retrying';
      logger.warn(
        { err: error, events: events.length, failuresInARow, correlationIds: correlationIdsOf(events) },
        'search batch failed; it will be delivered again',
      );
      await pause(Math.min(mostPauseMs, firstPauseMs * 2 ** Math.min(20, failuresInARow - 1)));
      throw error;
    }
  }

  /** Waits, unless `stop` cuts it short. */
  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  return {
    async start() {
      if (state !== 'stopped') return;
      state = 'running';
      subscription = await options.bus.subscribe(searchGroup, handle, {
        fromBeginning: true,
        gatherMs: options.gatherMs ?? defaultGatherMs,
      });
    },
    async stop() {
      const running = subscription;
      subscription = null;
      state = 'stopped';
      wake?.();
      await running?.stop();
      await progress.close();
      breaker.shutdown();
    },
    status: () => ({
      state,
      breaker: breaker.state(),
      failuresInARow,
      appliedChanges,
      ...(lastError === undefined ? {} : { lastError }),
    }),
  };
}
