import { boardStreamId, DomainError } from '@primetrade/domain';
import type { EventStore, ReadReplica, ReadRouting, SqlQueryable } from '@primetrade/platform';
import {
  createStoredBoards,
  getBoardIdOfTask,
  getMemberRole,
  isMemberOf,
  readApplied,
  storedRevisionOf,
  type ProjectionProgress,
  type RevisionTargets,
} from '@primetrade/read-model';
import { minRevisionHeader, parseMinRevision, type MinRevisionScope, type MinRevisionToken } from './minRevision.js';
import type { AppContext } from './state.js';

/**
 * Runs a read's handler (`read`) once the read models are where the caller's token says, on the
 * server chosen for it: a replica in service that has replayed that far, else the primary.
 */
export type ReadGate = (
  ctx: AppContext,
  scope: MinRevisionScope,
  params: Readonly<Record<string, unknown>>,
  read: () => Promise<void>,
  /** Whether a replica may answer (false: the route reads what the API writes itself). */
  options?: { readonly replica: boolean },
) => Promise<void>;

export interface ReadGateDeps {
  readonly sql: SqlQueryable;
  readonly store: EventStore;
  readonly progress: ProjectionProgress;
  /** The bound on the wait (config MIN_REVISION_WAIT_MS). */
  readonly waitMs: number;
  /** Streaming replicas for reads (cluster mode, READ_DATABASE_URLS); absent: every read on `sql`. */
  readonly routing?: Pick<ReadRouting, 'pick' | 'run'>;
}

/** Seconds a client should wait before retrying a read that found the read models behind. */
const retryAfterSeconds = 1;

const only = (boards: ReadonlyMap<string, number>, boardId: string): Map<string, number> => {
  const revision = boards.get(boardId.toLowerCase());
  return new Map<string, number>(revision === undefined ? [] : [[boardId, revision]]);
};

/** The boards (and revisions) this read must see, from the token and the route's scope. */
async function targetsOf(
  sql: SqlQueryable,
  token: MinRevisionToken,
  scope: MinRevisionScope,
  params: Readonly<Record<string, unknown>>,
) {
  if (scope === 'boards') {
    if (token.revision !== null) {
      throw new DomainError(
        'VALIDATION.FAILED',
        'headers.min-revision: a list across boards needs <boardId>:<revision>, …',
        [{ field: 'headers.min-revision', message: 'a list across boards needs <boardId>:<revision>, …' }],
      );
    }
    return new Map(token.boards);
  }
  // The route validated its params: a board route has a `boardId`, a task route a `taskId`.
  const boardId = scope === 'board' ? String(params['boardId']) : await getBoardIdOfTask(sql, String(params['taskId']));
  // A task the read models do not know yet: its board is among the vector's, if the client named it.
  if (boardId === null) return token.revision === null ? new Map(token.boards) : new Map<string, number>();
  return token.revision === null ? only(token.boards, boardId) : new Map([[boardId, token.revision]]);
}

/** Whether the replica has replayed every target (its `projection_checkpoints` are replicated rows). */
async function replayed(replica: ReadReplica, targets: RevisionTargets): Promise<boolean> {
  const applied = await readApplied(replica.sql, [...targets.keys()]).catch(() => null);
  return applied !== null && [...targets].every(([boardId, revision]) => (applied.get(boardId) ?? -1) >= revision);
}

/**
 * The `Min-Revision` gate (docs/consistency.md). With replicas (docs/adr/0029-read-replicas.md), a
 * read without a token goes to the next replica in service; one with a token goes there only if
 * that replica has replayed the token's revisions, otherwise to the primary, after the wait below.
 * Boards the read models already reached cost one query. For the others, the store decides whether the caller is a member: boards they are not a
 * member of (or that do not exist) are dropped without waiting, so a token naming someone else's
 * board answers exactly as one naming an unknown board. A revision beyond the store's is clamped
 * to it (no one can have written beyond it). The rest waits, bounded, woken by projection progress.
 */
export function createReadGate(deps: ReadGateDeps): ReadGate {
  const boards = createStoredBoards(deps.store);

  async function mustWaitFor(userId: string, boardId: string, revision: number): Promise<number | null> {
    if ((await getMemberRole(deps.sql, boardId, userId)) !== null) {
      const stored = await deps.store.streamRevision(boardStreamId(boardId));
      return stored === null ? null : Math.min(revision, Number(stored));
    }
    const state = await boards.load(boardId);
    return isMemberOf(state, userId) ? Math.min(revision, storedRevisionOf(state)) : null;
  }

  /** Returns once the primary's read models reached the targets the caller may ask for; 503 after the bound. */
  async function projected(ctx: AppContext, userId: string, targets: RevisionTargets): Promise<void> {
    const applied = await deps.progress.appliedRevisions([...targets.keys()]);
    const behind = [...targets].filter(([boardId, revision]) => (applied.get(boardId) ?? -1) < revision);
    if (behind.length === 0) return;
    const targetsBehind = await Promise.all(
      behind.map(async ([boardId, revision]) => [boardId, await mustWaitFor(userId, boardId, revision)] as const),
    );
    const waits = new Map<string, number>();
    for (const [boardId, target] of targetsBehind) {
      if (target !== null && target > (applied.get(boardId) ?? -1)) waits.set(boardId, target);
    }
    if (waits.size === 0 || (await deps.progress.waitForBoards(waits, deps.waitMs))) return;
    ctx.set('Retry-After', String(retryAfterSeconds));
    throw new DomainError(
      'READ_MODEL.BEHIND',
      'The read models have not caught up with your last change yet; try again shortly',
    );
  }

  return async (ctx, scope, params, read, options) => {
    const replica = options?.replica === false ? null : (deps.routing?.pick() ?? null);
    const serve = (on: ReadReplica | null) => (deps.routing ? deps.routing.run(on, read) : read());
    const token = parseMinRevision(ctx.get(minRevisionHeader) || undefined);
    const userId = ctx.state.user?.id;
    if (token === null || userId === undefined) return serve(replica);
    const targets = await targetsOf(deps.sql, token, scope, params);
    if (targets.size === 0) return serve(replica);
    if (replica && (await replayed(replica, targets))) return serve(replica);
    await projected(ctx, userId, targets);
    return serve(null);
  };
}
