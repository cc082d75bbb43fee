import { describeEvent, foldStepwise, type BoardState, type Envelope } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { boardStateAt } from '@primetrade/read-model';

/**
 * The history read model (docs/architecture.md "History and time travel", ADR 0020): one row per
 * event, described against the board just before it, and a snapshot of the board every K events.
 * A batch-level projection: called once per batch with the events that passed the revision guard,
 * in the batch's transaction, so its rows commit (or roll back) with the other read models.
 */
export type BatchProjection = (tx: SqlQueryable, events: readonly Envelope[]) => Promise<void>;

/** Snapshot after every this many events of a board (revisions K-1, 2K-1, …). */
export const defaultSnapshotEvery = 1_000;

export interface HistoryProjectionOptions {
  /** K: events between two snapshots of a board. Default `defaultSnapshotEvery`. */
  readonly snapshotEvery?: number;
  /** Boards whose latest folded state is kept in memory between batches. Default 256. */
  readonly cachedBoards?: number;
}

/** A board's state after the event `eventId` at `revision`. */
interface Folded {
  readonly revision: number;
  readonly eventId: string;
  readonly state: BoardState;
}

interface HistoryRow {
  readonly event: Envelope;
  readonly summary: string;
  readonly changes: string;
}

interface SnapshotRow {
  readonly boardId: string;
  readonly revision: number;
  readonly state: string;
}

const taskOf = (event: Envelope): string | null => {
  const data = event.data as { taskId?: unknown };
  return typeof data.taskId === 'string' ? data.taskId : null;
};

/** A board's events of the batch, in order (the guard let only the next revisions through). */
function byBoard(events: readonly Envelope[]): Map<string, Envelope[]> {
  const boards = new Map<string, Envelope[]>();
  for (const event of events) {
    const list = boards.get(event.boardId);
    if (list) list.push(event);
    else boards.set(event.boardId, [event]);
  }
  return boards;
}

export function createHistoryProjection(options: HistoryProjectionOptions = {}): BatchProjection {
  const every = options.snapshotEvery ?? defaultSnapshotEvery;
  const cachedBoards = options.cachedBoards ?? 256;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`snapshotEvery must be a positive integer: ${every}`);
  // Insertion order is recency: a hit is re-inserted, the oldest goes first.
  const latest = new Map<string, Folded>();
  const remember = (boardId: string, folded: Folded) => {
    latest.delete(boardId);
    latest.set(boardId, folded);
    if (latest.size > cachedBoards) latest.delete(latest.keys().next().value as string);
  };

  /**
   * The board just before each board's first event of the batch, or null for a board whose history
   * rows do not reach that far (projected before the history read model existed: left to a rebuild).
   * The cache is trusted only when the row it was folded to is the one in this database.
   */
  async function statesBefore(tx: SqlQueryable, boards: ReadonlyMap<string, Envelope[]>) {
    const before = new Map<string, BoardState | null>();
    const anchors = [...boards].flatMap(([boardId, events]) => {
      const first = (events[0] as Envelope).revision;
      return first > 0 ? [{ boardId, revision: first - 1 }] : [];
    });
    const stored = await anchorEventIds(tx, anchors);
    for (const [boardId, events] of boards) {
      const first = (events[0] as Envelope).revision;
      if (first === 0) {
        before.set(boardId, { status: 'initial' });
        continue;
      }
      const eventId = stored.get(boardId);
      if (eventId === undefined) {
        before.set(boardId, null);
        continue;
      }
      const cached = latest.get(boardId);
      if (cached?.revision === first - 1 && cached.eventId === eventId) before.set(boardId, cached.state);
      else before.set(boardId, (await boardStateAt(tx, boardId, first - 1))?.state ?? null);
    }
    return before;
  }

  function describeBoard(from: BoardState, events: readonly Envelope[], snapshots: SnapshotRow[]): HistoryRow[] {
    const rows: HistoryRow[] = [];
    const snapshotDue = (revision: number) => (revision + 1) % every === 0;
    const final = foldStepwise(events, from, (event, before, index) => {
      const previous = events[index - 1];
      // The board just before this event is the board after the previous one.
      if (previous && snapshotDue(previous.revision))
        snapshots.push({ boardId: event.boardId, revision: previous.revision, state: JSON.stringify(before) });
      const { summary, changes } = describeEvent(event, before);
      rows.push({ event, summary, changes: JSON.stringify(changes) });
    });
    const last = events.at(-1) as Envelope;
    if (snapshotDue(last.revision))
      snapshots.push({ boardId: last.boardId, revision: last.revision, state: JSON.stringify(final) });
    remember(last.boardId, { revision: last.revision, eventId: last.id, state: final });
    return rows;
  }

  return async (tx, events) => {
    if (events.length === 0) return;
    const boards = byBoard(events);
    const before = await statesBefore(tx, boards);
    const rows: HistoryRow[] = [];
    const snapshots: SnapshotRow[] = [];
    for (const [boardId, boardEvents] of boards) {
      const from = before.get(boardId);
      if (from) rows.push(...describeBoard(from, boardEvents, snapshots));
    }
    await insertRows(tx, rows);
    await insertSnapshots(tx, snapshots);
  };
}

/** The event id stored at each anchor revision, by board (boards without that row are absent). */
async function anchorEventIds(
  tx: SqlQueryable,
  anchors: readonly { boardId: string; revision: number }[],
): Promise<Map<string, string>> {
  if (anchors.length === 0) return new Map();
  const rows = await tx.query<{ board_id: string; event_id: string }>(
    `SELECT h.board_id, h.event_id FROM unnest($1::uuid[], $2::bigint[]) AS a (board_id, revision)
     JOIN board_history h ON h.board_id = a.board_id AND h.revision = a.revision`,
    [anchors.map((anchor) => anchor.boardId), anchors.map((anchor) => anchor.revision)],
  );
  return new Map(rows.map((row) => [row.board_id, row.event_id]));
}

async function insertRows(tx: SqlQueryable, rows: readonly HistoryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(pick: (row: HistoryRow) => T): T[] => rows.map(pick);
  // A redelivered event never reaches here (the guard), but the key makes a duplicate impossible anyway.
  await tx.query(
    `INSERT INTO board_history
       (board_id, revision, event_id, occurred_at, occurred_ms, actor_id, type, task_id, summary, changes, data)
     SELECT board_id, revision, event_id, occurred_at, occurred_ms, actor_id, type, task_id, summary, changes::json, data::json
     FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[],
                 $9::text[], $10::text[], $11::text[])
       AS r (board_id, revision, event_id, occurred_at, occurred_ms, actor_id, type, task_id, summary, changes, data)
     ON CONFLICT (board_id, revision) DO NOTHING`,
    [
      column((row) => row.event.boardId),
      column((row) => row.event.revision),
      column((row) => row.event.id),
      column((row) => row.event.occurredAt),
      column((row) => Date.parse(row.event.occurredAt)),
      column((row) => row.event.actorId),
      column((row) => row.event.type),
      column((row) => taskOf(row.event)),
      column((row) => row.summary),
      column((row) => row.changes),
      column((row) => JSON.stringify(row.event.data)),
    ],
  );
}

async function insertSnapshots(tx: SqlQueryable, snapshots: readonly SnapshotRow[]): Promise<void> {
  for (const snapshot of snapshots) {
    await tx.query(
      `INSERT INTO board_snapshots (board_id, revision, state) VALUES ($1, $2, $3::json)
       ON CONFLICT (board_id, revision) DO NOTHING`,
      [snapshot.boardId, snapshot.revision, snapshot.state],
    );
  }
}

let active = createHistoryProjection();

/** Sets K for every batch this process projects from now on (config HISTORY_SNAPSHOT_EVERY). */
export function useHistorySnapshotsEvery(snapshotEvery: number): void {
  active = createHistoryProjection({ snapshotEvery });
}

/** The projection every batch runs (live and rebuild; `applyBatch.ts`). */
export const historyProjection: BatchProjection = (tx, events) => active(tx, events);
