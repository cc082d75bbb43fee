import type { Sql, SqlQueryable } from '@primetrade/platform';
import { isUuid } from '../queries/cursor.js';

/**
 * Projection progress for read-your-writes (docs/consistency.md, ADR 0014). The projector sends
 * `<boardId>:<revision>` on this channel per board a batch touched, inside the batch's transaction,
 * so a notification is delivered exactly when the new rows are visible.
 */
export const projectionProgressChannel = 'projection_progress';

/** One NOTIFY per board (a payload is ~45 bytes, far below PostgreSQL's 8000-byte cap). */
export async function notifyProgress(tx: SqlQueryable, boards: ReadonlyMap<string, number>): Promise<void> {
  if (boards.size === 0) return;
  await tx.query(
    `SELECT pg_notify($1, v.board_id::text || ':' || v.revision::text)
     FROM unnest($2::uuid[], $3::bigint[]) AS v (board_id, revision)`,
    [projectionProgressChannel, [...boards.keys()], [...boards.values()]],
  );
}

/** Board id → the revision the read models must have applied. */
export type RevisionTargets = ReadonlyMap<string, number>;

export interface ProjectionProgress {
  /**
   * Resolves true once the read models applied every target (at once when they already have),
   * false after `timeoutMs`. Never rejects: a read-model failure counts as "not there yet".
   */
  waitForBoards(targets: RevisionTargets, timeoutMs: number): Promise<boolean>;
  /** The read models' last applied revision per board (absent: nothing applied yet). */
  appliedRevisions(boardIds: readonly string[]): Promise<Map<string, number>>;
  /** Stops listening and answers every pending wait with false. */
  close(): Promise<void>;
}

export interface ProjectionProgressOptions {
  /**
   * A re-check of the checkpoint table while anyone waits, in case a notification was lost
   * (a LISTEN connection that dropped and came back also triggers one at once). Default 1000 ms.
   */
  readonly safetyRecheckMs?: number;
}

interface Waiter {
  readonly missing: Map<string, number>;
  readonly done: (reached: boolean) => void;
}

/**
 * Reads `projection_checkpoints` (the projector's per-board guard) for the given boards; on a
 * streaming replica, what that replica has replayed (docs/adr/0029-read-replicas.md).
 */
export async function readApplied(sql: SqlQueryable, boardIds: readonly string[]): Promise<Map<string, number>> {
  const ids = boardIds.filter(isUuid);
  if (ids.length === 0) return new Map();
  const rows = await sql.query<{ board_id: string; last_revision: string }>(
    'SELECT board_id, last_revision FROM projection_checkpoints WHERE board_id = ANY ($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((row) => [row.board_id, Number(row.last_revision)]));
}

function parsePayload(payload: string): [string, number] | null {
  const at = payload.lastIndexOf(':');
  if (at <= 0) return null;
  const revision = Number(payload.slice(at + 1));
  return Number.isSafeInteger(revision) ? [payload.slice(0, at), revision] : null;
}

/**
 * The read side's waiter: ONE shared LISTEN per process (started on the first wait that has to
 * wait), waking waiters by board. No polling in the normal case; the slow re-check only runs
 * while someone waits.
 */
export function createProjectionProgress(sql: Sql, options: ProjectionProgressOptions = {}): ProjectionProgress {
  const safetyRecheckMs = options.safetyRecheckMs ?? 1_000;
  const byBoard = new Map<string, Set<Waiter>>();
  let listening: Promise<() => Promise<void>> | null = null;
  let recheckTimer: NodeJS.Timeout | null = null;
  let closed = false;

  function settle(boardId: string, revision: number): void {
    for (const waiter of byBoard.get(boardId) ?? []) {
      const target = waiter.missing.get(boardId);
      if (target !== undefined && revision >= target) waiter.missing.delete(boardId);
      if (waiter.missing.size === 0) waiter.done(true);
    }
  }

  async function recheckAll(): Promise<void> {
    if (byBoard.size === 0) return;
    const applied = await readApplied(sql, [...byBoard.keys()]).catch(() => new Map<string, number>());
    for (const [boardId, revision] of applied) settle(boardId, revision);
  }

  function onNotify(payload: string): void {
    // An empty payload is the adapter saying "LISTEN (re)connected": anything sent meanwhile is lost.
    const parsed = parsePayload(payload);
    if (parsed) settle(parsed[0], parsed[1]);
    else void recheckAll();
  }

  async function ensureListening(): Promise<void> {
    listening ??= sql.listen(projectionProgressChannel, onNotify);
    await listening.catch((error: unknown) => {
      listening = null;
      throw error;
    });
  }

  function scheduleRecheck(): void {
    if (recheckTimer !== null || byBoard.size === 0 || closed) return;
    recheckTimer = setTimeout(() => {
      recheckTimer = null;
      void recheckAll().finally(scheduleRecheck);
    }, safetyRecheckMs);
    recheckTimer.unref();
  }

  function register(missing: Map<string, number>, timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      // `missing` shrinks as boards arrive: remember every board this waiter was filed under.
      const boards = [...missing.keys()];
      const waiter: Waiter = {
        missing,
        done: (reached) => {
          clearTimeout(timer);
          for (const boardId of boards) unregister(boardId, waiter);
          resolve(reached);
        },
      };
      for (const boardId of boards) {
        const set = byBoard.get(boardId) ?? new Set<Waiter>();
        set.add(waiter);
        byBoard.set(boardId, set);
      }
      scheduleRecheck();
    });
  }

  function unregister(boardId: string, waiter: Waiter): void {
    const set = byBoard.get(boardId);
    set?.delete(waiter);
    if (set?.size === 0) byBoard.delete(boardId);
  }

  async function missingOf(targets: RevisionTargets): Promise<Map<string, number>> {
    const applied = await readApplied(sql, [...targets.keys()]);
    return new Map([...targets].filter(([boardId, revision]) => (applied.get(boardId) ?? -1) < revision));
  }

  return {
    appliedRevisions: (boardIds) => readApplied(sql, boardIds),
    async waitForBoards(targets, timeoutMs) {
      if (closed) return false;
      try {
        // Cheap path first: most reads find the read model there already and never LISTEN.
        if ((await missingOf(targets)).size === 0) return true;
        // LISTEN before the second look, so a batch committing in between is not missed.
        await ensureListening().catch(() => undefined);
        const missing = await missingOf(targets);
        if (missing.size === 0) return true;
        return await register(missing, timeoutMs);
      } catch {
        return false;
      }
    },
    async close() {
      closed = true;
      if (recheckTimer) clearTimeout(recheckTimer);
      for (const set of [...byBoard.values()]) for (const waiter of [...set]) waiter.done(false);
      const unlisten = await listening?.catch(() => null);
      listening = null;
      await unlisten?.().catch(() => undefined);
    },
  };
}
