import type { Envelope } from '@primetrade/domain';
import { keepPlan, type Sql, type SqlQueryable } from '@primetrade/platform';
import { notifyProgress } from '@primetrade/read-model';
import { projectWithNotifications, type NewNotification } from './notifications/notifications.projection.js';
import { batchWriter, writesOf, type BatchTx } from './projections/batchTx.js';

export { UnknownEventTypeError } from './projections/index.js';

/** A board's events arrived with a hole: `expected` is the next revision the read models need. */
export class ProjectionGapError extends Error {
  override readonly name = 'ProjectionGapError';
  constructor(
    readonly boardId: string,
    readonly expected: number,
    readonly got: number,
  ) {
    super(`Gap in board ${boardId}: expected revision ${expected}, got ${got}`);
  }
}

export interface ApplyResult {
  /** Events written to the read models. */
  readonly applied: number;
  /** Duplicates (revision already applied), left alone. */
  readonly skipped: number;
  /** Notifications the batch created (live projection only): push them once the transaction commits. */
  readonly notifications: readonly NewNotification[];
}

interface BoardTouch {
  readonly revision: number;
  readonly occurredAt: string;
}

/**
 * Held shared by every projector batch and exclusively by a rebuild's switch-over, so no batch
 * runs between "the rebuild caught up" and "the tables are swapped" (`rebuild.ts`). Any constant
 * works; it only has to differ from the other advisory locks (migrations: 7_342_001).
 */
export const readModelsLockKey = 7_342_002;

/**
 * Writes the events that passed the guard. The live projector also notifies (the default, without
 * e-mail); a rebuild writes the read models only.
 */
export type ProjectEvents = (
  tx: SqlQueryable,
  events: readonly Envelope[],
) => Promise<readonly NewNotification[] | void>;

const projectLive: ProjectEvents = projectWithNotifications({ mail: false });

/**
 * Applies a batch in ONE transaction with the per-board guard (docs/architecture.md, projector):
 * `revision <= last` is a duplicate and skipped; `last + 1` is applied; anything higher is a gap.
 * A gap rolls back the WHOLE batch: the projector halts on it anyway, so committing the prefix
 * would buy nothing, and all-or-nothing keeps "a batch" the only unit anyone has to reason about
 * (a retry re-applies the prefix, which the guard makes safe).
 */
export async function applyEnvelopes(
  sql: Sql,
  events: readonly Envelope[],
  project: ProjectEvents = projectLive,
): Promise<ApplyResult> {
  if (events.length === 0) return { applied: 0, skipped: 0, notifications: [] };
  return sql.tx(async (tx) => {
    await lockReadModelsShared(tx);
    return applyAndNotify(tx, events, project);
  });
}

/**
 * Waits while a rebuild switches the read models over (it holds the lock exclusively). The
 * transaction's first statement: table names resolve after it, i.e. to the swapped tables if a
 * switch-over committed while this batch waited.
 *
 * In the same round trip, the batch's plans are kept off sequential scans (ADR 0037): every
 * statement of a batch reaches its rows by key, but a table's statistics lag behind its size (after
 * a rebuild, a restore, a burst before autovacuum's next ANALYZE), and a stale estimate makes the
 * planner scan a table that has since grown, at a cost that grows with it. And the statements whose
 * plans connections keep (`keepPlan`, ADR 0040) use the plan made once for all batches: they reach
 * their rows by key whatever the values, so planning them again for each batch buys nothing.
 */
export async function lockReadModelsShared(tx: SqlQueryable): Promise<void> {
  await tx.exec(
    `SELECT pg_advisory_xact_lock_shared(${readModelsLockKey}); SET LOCAL enable_seqscan = off;
     SET LOCAL plan_cache_mode = force_generic_plan`,
  );
}

/**
 * The guard and the writes of `applyEnvelopes` inside a transaction the caller owns, against the
 * read-model tables that `search_path` resolves to (the rebuild points it at its fresh schema).
 */
export async function applyInTransaction(
  tx: SqlQueryable,
  events: readonly Envelope[],
  project: ProjectEvents = projectLive,
): Promise<ApplyResult> {
  return applyTracked(tx, events, project, false);
}

/**
 * `applyInTransaction` for the live read models: also NOTIFYs each touched board's new revision,
 * delivered at commit, i.e. exactly when readers can see the rows (read-your-writes waiters,
 * docs/consistency.md). A rebuild does not notify: it writes tables nobody reads yet.
 */
export async function applyAndNotify(
  tx: SqlQueryable,
  events: readonly Envelope[],
  project: ProjectEvents = projectLive,
  finish?: (writer: BatchTx) => void,
): Promise<ApplyResult> {
  return applyTracked(tx, events, project, true, finish);
}

/**
 * One writer for the whole batch (`batchTx.ts`): after the batch's reads, the projections' writes go
 * to the server as two scripts (ADR 0019, ADR 0032), the progress and the `NOTIFY` in the second,
 * with what `finish` queues (the Kafka projector's offset: no round trip of its own).
 */
async function applyTracked(
  tx: SqlQueryable,
  events: readonly Envelope[],
  project: ProjectEvents,
  notify: boolean,
  finish?: (writer: BatchTx) => void,
): Promise<ApplyResult> {
  const lastRevisions = await lockCheckpoints(tx, [...new Set(events.map((event) => event.boardId))]);
  const touched = new Map<string, BoardTouch>();
  const toApply: Envelope[] = [];
  for (const event of events) {
    const expected = (lastRevisions.get(event.boardId) ?? -1) + 1;
    if (event.revision < expected) continue;
    if (event.revision > expected) throw new ProjectionGapError(event.boardId, expected, event.revision);
    toApply.push(event);
    lastRevisions.set(event.boardId, event.revision);
    touched.set(event.boardId, { revision: event.revision, occurredAt: event.occurredAt });
  }
  // The guard decided on revisions alone, so the whole batch is checked before any write.
  // A rebuild's batches are large: its kept statements ride in the scripts (`BatchWriterOptions`).
  const writer = batchWriter(tx, { preparedWrites: notify });
  try {
    const notifications = (await project(writer, toApply)) ?? [];
    saveProgress(writer, touched);
    if (notify)
      await notifyProgress(
        writesOf(writer),
        new Map([...touched].map(([boardId, touch]) => [boardId, touch.revision])),
      );
    finish?.(writer);
    await writer.flush();
    return { applied: toApply.length, skipped: events.length - toApply.length, notifications };
  } catch (error) {
    await writer.settle();
    throw error;
  }
}

const checkpointsLock = keepPlan(
  `INSERT INTO projection_checkpoints (board_id, last_revision)
   SELECT board_id, -1 FROM unnest($1::uuid[]) AS ids (board_id) ORDER BY board_id
   ON CONFLICT (board_id) DO UPDATE SET last_revision = projection_checkpoints.last_revision
   RETURNING board_id, last_revision`,
);

/**
 * Reads each board's last applied revision and row-locks it until commit, so two projector
 * instances (e.g. during a rebalance) cannot both apply the same revision. One upsert: a new board's
 * row is created at -1 (never committed as such), an existing one "updated" to itself, which locks
 * it and returns its latest committed revision; in board order, to avoid deadlocks.
 */
async function lockCheckpoints(tx: SqlQueryable, boardIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await tx.query<{ board_id: string; last_revision: string }>(checkpointsLock, [[...boardIds].sort()]);
  return new Map(rows.map((row) => [row.board_id, Number(row.last_revision)]));
}

const progressUpdate = keepPlan(
  `WITH v AS (
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS v (board_id, revision, updated_at)
   ), checkpoints AS (
     UPDATE projection_checkpoints AS c SET last_revision = v.revision, updated_at = now() FROM v
     WHERE c.board_id = v.board_id
   )
   UPDATE boards AS b SET revision = v.revision, updated_at = v.updated_at FROM v WHERE b.id = v.board_id`,
);

/**
 * One statement for all boards of the batch: checkpoints, and the board's revision/updated_at
 * (any event of the stream is a change of the board: "my boards" sorts by it, ETags use it).
 */
function saveProgress(tx: BatchTx, touched: ReadonlyMap<string, BoardTouch>): void {
  if (touched.size === 0) return;
  const ids = [...touched.keys()];
  const revisions = [...touched.values()].map((touch) => touch.revision);
  const instants = [...touched.values()].map((touch) => touch.occurredAt);
  tx.write(progressUpdate, [ids, revisions, instants]);
}
