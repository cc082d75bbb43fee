import type { SqlQueryable } from '@primetrade/platform';
import { quoteIdent, RebuildError, swapReadModelTables } from '@primetrade/read-model';
import { readModelsLockKey } from './applyBatch.js';
import { silentLogger } from './logging.js';
import { startReplay, type FoldOptions, type Replay } from './rebuild.fold.js';

/**
 * The rebuild's second half: switching the live read models over to a finished fold
 * (rebuild.fold.ts), safely against the live projector.
 */
export { RebuildError, feedPositionTables, liveReadModelSchema } from '@primetrade/read-model';
export { foldReadModels, type FoldOptions, type FoldedReadModels, type RebuildProgress } from './rebuild.fold.js';

export interface RebuildOptions extends FoldOptions {
  /** Longest wait for the locks of the switch (the projector's batch, readers of the tables). Default 5 s. */
  readonly switchLockTimeoutMs?: number;
  /** Switch attempts before giving up (each failed one catches up again first). Default 10. */
  readonly maxSwitchAttempts?: number;
}

export interface RebuildResult {
  readonly events: number;
  readonly boards: number;
  readonly durationMs: number;
  readonly eventsPerSecond: number;
}

/**
 * Rebuild (docs/architecture.md): replays the store from the start into fresh tables (board by board
 * up to a fixed end of the feed, then in feed order: ADR 0031), then switches over.
 * The switch holds the lock every projector batch takes shared (`applyEnvelopes`), checks that
 * the fresh tables hold every revision the live ones do — what the projector applied during the
 * rebuild came from the store, so the replay has it unless it was appended in the last instants,
 * in which case it catches up and tries again — and swaps the read-model tables, the per-board
 * revision checkpoints with them, in one transaction. Later deliveries of replayed events are
 * then skipped by the checkpoints, newer ones applied. Feed positions and accounts stay as they
 * are. Nothing is published: pushes never come from a rebuild.
 */
export async function rebuildReadModels(options: RebuildOptions): Promise<RebuildResult> {
  const logger = options.logger ?? silentLogger;
  const started = performance.now();
  const replay = await startReplay(options);
  try {
    await replay.bulkLoad();
    await replay.catchUp();
    await replay.buildDeferredIndexes();
    const boards = await switchOver(replay, options);
    const durationMs = performance.now() - started;
    const result = { events: replay.events, boards, durationMs, eventsPerSecond: replay.events / (durationMs / 1000) };
    logger.info({ ...result, position: replay.position }, 'read models rebuilt and switched over');
    return result;
  } catch (error) {
    logger.error(
      { err: error, schema: replay.schema, events: replay.events },
      'rebuild failed; the live read models are unchanged',
    );
    await replay.drop();
    throw error;
  }
}

/**
 * How long a refused switch waits for the store to show the events the projector applied: a
 * store's feed can lag its commits (PostgreSQL: until older transactions end, ADR 0005).
 */
const liveAheadGraceMs = 5_000;

/** Lock-wait failures of the switch that another attempt can get past. */
const retryableSwitchErrors = new Set(['40P01', '55P03', '40001']);

async function switchOver(replay: Replay, options: RebuildOptions): Promise<number> {
  const maxAttempts = options.maxSwitchAttempts ?? 10;
  const lockTimeoutMs = Math.max(1, Math.round(options.switchLockTimeoutMs ?? 5_000));
  let ahead: string[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const caughtUp = await replay.catchUp();
    // What the projector applied came from the store, so after a refused switch the store has
    // newer events for us — unless the live models hold revisions it does not; no retry helps then.
    if (ahead.length > 0 && caughtUp === 0 && !(await replay.awaitNewEvents(liveAheadGraceMs))) {
      throw new RebuildError(
        'REBUILD.LIVE_AHEAD',
        `The live read models hold revisions the store does not: ${ahead.join('; ')}`,
      );
    }
    await replay.progress('switching');
    try {
      const outcome = await replay.sql.tx(async (tx) => {
        await tx.exec(`SET LOCAL lock_timeout = ${lockTimeoutMs}`);
        // From here until commit no projector batch runs: the fresh tables cannot fall behind.
        await tx.query('SELECT pg_advisory_xact_lock($1)', [readModelsLockKey]);
        const behind = await boardsAhead(tx, replay.live, replay.schema);
        if (behind.length > 0) return { switched: false as const, ahead: behind };
        const [row] = await tx.query<{ boards: string }>(
          `SELECT count(*) AS boards FROM ${quoteIdent(replay.schema)}.projection_checkpoints`,
        );
        await swapReadModelTables(tx, replay.live, replay.schema);
        return { switched: true as const, boards: Number(row?.boards ?? 0) };
      });
      if (outcome.switched) return outcome.boards;
      ahead = outcome.ahead;
      replay.logger.info(
        { attempt, ahead },
        'the projector applied newer events meanwhile; catching up before switching',
      );
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code !== 'string' || !retryableSwitchErrors.has(code)) throw error;
      ahead = [];
      replay.logger.warn({ err: error, attempt }, 'switch-over could not take its locks; catching up and retrying');
    }
  }
  throw new RebuildError('REBUILD.SWITCH_FAILED', `Rebuild could not switch over in ${maxAttempts} attempts`);
}

/** Boards whose live checkpoint is past the fresh one (a few, for the message). */
async function boardsAhead(tx: SqlQueryable, live: string, fresh: string): Promise<string[]> {
  const rows = await tx.query<{ board_id: string; live: string; fresh: string | null }>(
    `SELECT l.board_id, l.last_revision AS live, f.last_revision AS fresh
     FROM ${quoteIdent(live)}.projection_checkpoints l
     LEFT JOIN ${quoteIdent(fresh)}.projection_checkpoints f ON f.board_id = l.board_id
     WHERE f.last_revision IS NULL OR f.last_revision < l.last_revision
     LIMIT 5`,
  );
  return rows.map((row) => `board ${row.board_id} at ${row.live} live, ${row.fresh ?? 'none'} rebuilt`);
}
