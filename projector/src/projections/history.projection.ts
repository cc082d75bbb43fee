import { describeEvent, foldStepwiseOwned, type BoardState, type Envelope } from '@primetrade/domain';
import { copyRow, keepPlan, type SqlQueryable } from '@primetrade/platform';
import { boardStateAt } from '@primetrade/read-model';
import type { BatchTx } from './batchTx.js';
import type { BatchProjection } from './projection.js';

export type { BatchProjection } from './projection.js';

/**
 * The history read model (docs/architecture.md "History and time travel", ADR 0020): one row per
 * event, described against the board just before it, and a snapshot of the board every K events.
 * A batch projection (`batchProjections`, projections/index.ts): it gets the events that passed the
 * revision guard, in the batch's transaction, so its rows commit (or roll back) with the other read
 * models; they go to the server in the batch's last script (`tx.write`, ADR 0019). It runs last, its
 * anchor read started first (`prefetch`), and folds each board it holds in place (ADR 0032).
 */

/** Snapshot after every this many events of a board (revisions K-1, 2K-1, …). */
export const defaultSnapshotEvery = 1_000;

export interface HistoryProjectionOptions {
  /** K: events between two snapshots of a board. Default `defaultSnapshotEvery`. */
  readonly snapshotEvery?: number;
  /** Boards whose latest folded state is kept in memory between batches. Default 256. */
  readonly cachedBoards?: number;
}

/**
 * A board's state after the event `eventId` at `revision`. The state is folded onward IN PLACE
 * (`foldStepwiseOwned`: no copy of the board's records per batch), so exactly one transaction owns
 * it at a time: `owner`, the last one that folded it. A transaction that takes it over from the
 * cache becomes its owner, and its former owner no longer trusts it.
 */
interface Folded {
  readonly revision: number;
  readonly eventId: string;
  readonly state: BoardState;
  owner: BatchTx;
}

/** A `board_history` row as a line of COPY's text format (`historyRow`). */
type HistoryRow = string;

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

export function createHistoryProjection(options: HistoryProjectionOptions = {}): HistoryProjection {
  const every = options.snapshotEvery ?? defaultSnapshotEvery;
  const cachedBoards = options.cachedBoards ?? 256;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`snapshotEvery must be a positive integer: ${every}`);
  // Insertion order is recency: a hit is re-inserted, the oldest goes first.
  const latest = new Map<string, Folded>();
  // The states this batch's transaction folded (its rows may still be queued, unsent): trusted as they are.
  const ownStates = new WeakMap<BatchTx, Map<string, Folded>>();
  /** Taken out of the cache (and from its former owner) before it is folded in place. */
  const take = (tx: BatchTx, boardId: string, folded: Folded): BoardState => {
    latest.delete(boardId);
    ownStates.get(tx)?.delete(boardId);
    folded.owner = tx;
    return folded.state;
  };
  const remember = (tx: BatchTx, boardId: string, folded: Folded) => {
    latest.delete(boardId);
    latest.set(boardId, folded);
    if (latest.size > cachedBoards) latest.delete(latest.keys().next().value as string);
    const own = ownStates.get(tx) ?? new Map<string, Folded>();
    ownStates.set(tx, own.set(boardId, folded));
  };

  /**
   * The board just before each board's first event of the batch, or null for a board whose history
   * rows do not reach that far (projected before the history read model existed: left to a rebuild).
   * The cache is trusted only when the row it was folded to is the one in this database, or when this
   * transaction folded it. The reads go ahead of the queued writes (`readAhead`): only this projection
   * writes the history tables, and what it queued in this transaction is in `ownStates`.
   */
  /** The boards this transaction folded and still owns. */
  const ownedBy = (tx: BatchTx): Map<string, Folded> | undefined => {
    const owned = ownStates.get(tx);
    return owned && new Map([...owned].filter(([, folded]) => folded.owner === tx));
  };
  /** The revisions whose stored event id decides whether the cache holds the board before the batch. */
  const anchorsOf = (own: Map<string, Folded> | undefined, boards: ReadonlyMap<string, Envelope[]>) =>
    [...boards].flatMap(([boardId, events]) => {
      const first = (events[0] as Envelope).revision;
      return first > 0 && own?.get(boardId)?.revision !== first - 1 ? [{ boardId, revision: first - 1 }] : [];
    });
  // Anchor reads started ahead (`prefetch`), by transaction, for the batch's events array.
  const prefetched = new WeakMap<BatchTx, Prefetched>();

  async function storedAnchors(tx: BatchTx, events: readonly Envelope[], anchors: readonly Anchor[]) {
    const ahead = prefetched.get(tx);
    if (ahead?.events !== events) return anchorEventIds(tx, anchors);
    prefetched.delete(tx);
    const stored = await ahead.stored;
    // An anchor the prefetch did not ask for (another transaction took over a board since): read now.
    const missing = anchors.filter((anchor) => !ahead.asked.has(anchor.boardId));
    for (const [boardId, eventId] of await anchorEventIds(tx, missing)) stored.set(boardId, eventId);
    return stored;
  }

  async function statesBefore(tx: BatchTx, events: readonly Envelope[], boards: ReadonlyMap<string, Envelope[]>) {
    const before = new Map<string, BoardState | null>();
    const own = ownedBy(tx);
    const stored = await storedAnchors(tx, events, anchorsOf(own, boards));
    const reads: SqlQueryable = {
      query: (text, params) => tx.readAhead(text, params),
      exec: (text) => tx.exec(text),
      copyFrom: (table, columns, rows) => tx.copyFrom(table, columns, rows),
    };
    for (const [boardId, events] of boards) {
      const first = (events[0] as Envelope).revision;
      if (first === 0) {
        before.set(boardId, { status: 'initial' });
        continue;
      }
      const folded = own?.get(boardId);
      if (folded?.revision === first - 1) {
        before.set(boardId, take(tx, boardId, folded));
        continue;
      }
      const eventId = stored.get(boardId);
      if (eventId === undefined) {
        before.set(boardId, null);
        continue;
      }
      const cached = latest.get(boardId);
      if (cached?.revision === first - 1 && cached.eventId === eventId) before.set(boardId, take(tx, boardId, cached));
      else {
        // Read afresh: owned by this transaction alone, so it too may be folded in place.
        latest.delete(boardId);
        before.set(boardId, (await boardStateAt(reads, boardId, first - 1))?.state ?? null);
      }
    }
    return before;
  }

  function describeBoard(
    tx: BatchTx,
    from: BoardState,
    events: readonly Envelope[],
    rows: HistoryRow[],
    snapshots: SnapshotRow[],
  ): void {
    const snapshotDue = (revision: number) => (revision + 1) % every === 0;
    // Serialized at once: the fold changes the board in place for the next event.
    const final = foldStepwiseOwned(events, from, (event, before, index) => {
      const previous = events[index - 1];
      // The board just before this event is the board after the previous one.
      if (previous && snapshotDue(previous.revision))
        snapshots.push({ boardId: event.boardId, revision: previous.revision, state: JSON.stringify(before) });
      const { summary, changes } = describeEvent(event, before);
      rows.push(historyRow(event, summary, JSON.stringify(changes)));
    });
    const last = events.at(-1) as Envelope;
    if (snapshotDue(last.revision))
      snapshots.push({ boardId: last.boardId, revision: last.revision, state: JSON.stringify(final) });
    remember(tx, last.boardId, { revision: last.revision, eventId: last.id, state: final, owner: tx });
  }

  const project = async (tx: BatchTx, events: readonly Envelope[]) => {
    if (events.length === 0) return;
    const boards = byBoard(events);
    const before = await statesBefore(tx, events, boards);
    const rows: HistoryRow[] = [];
    const snapshots: SnapshotRow[] = [];
    for (const [boardId, boardEvents] of boards) {
      const from = before.get(boardId);
      if (from) describeBoard(tx, from, boardEvents, rows, snapshots);
    }
    insertRows(tx, rows);
    insertSnapshots(tx, snapshots);
  };
  /**
   * Starts the batch's anchor read now (`readAhead`: it waits for nothing queued), so that the
   * projection can run last, after the other projections' scripts were sent, without a round trip
   * behind them (ADR 0032). The next call of the projection with the same `events` uses it.
   */
  const prefetch = (tx: BatchTx, events: readonly Envelope[]): void => {
    if (events.length === 0) return;
    const anchors = anchorsOf(ownedBy(tx), byBoard(events));
    const stored = anchorEventIds(tx, anchors);
    // Awaited by the projection; if a failure ends the batch first, it must not go unhandled.
    stored.catch(() => undefined);
    prefetched.set(tx, { events, asked: new Set(anchors.map((anchor) => anchor.boardId)), stored });
  };
  return Object.assign(project, { prefetch });
}

interface Anchor {
  readonly boardId: string;
  readonly revision: number;
}

interface Prefetched {
  readonly events: readonly Envelope[];
  readonly asked: ReadonlySet<string>;
  readonly stored: Promise<Map<string, string>>;
}

/** The history projection, and the start of its reads ahead of the batch's other projections. */
export type HistoryProjection = BatchProjection & {
  prefetch(tx: BatchTx, events: readonly Envelope[]): void;
};

const anchorRows = keepPlan(
  `SELECT h.board_id, h.event_id FROM unnest($1::uuid[], $2::bigint[]) AS a (board_id, revision)
   JOIN board_history h ON h.board_id = a.board_id AND h.revision = a.revision`,
);

/** The event id stored at each anchor revision, by board (boards without that row are absent). */
async function anchorEventIds(tx: BatchTx, anchors: readonly Anchor[]): Promise<Map<string, string>> {
  if (anchors.length === 0) return new Map();
  const rows = await tx.readAhead<{ board_id: string; event_id: string }>(anchorRows, [
    anchors.map((anchor) => anchor.boardId),
    anchors.map((anchor) => anchor.revision),
  ]);
  return new Map(rows.map((row) => [row.board_id, row.event_id]));
}

/** `board_history`'s columns, in the order `historyRow` writes them. */
export const historyColumns =
  'board_id revision event_id occurred_at occurred_ms actor_id type task_id summary changes data'.split(' ');

/**
 * One row in COPY's text format; `changes` is JSON text already, `data` is serialized here as it
 * arrived. A `json` column keeps the text it is given, so both are stored byte for byte as serialized.
 */
export function historyRow(event: Envelope, summary: string, changes: string): HistoryRow {
  return copyRow([
    event.boardId,
    event.revision,
    event.id,
    event.occurredAt,
    Date.parse(event.occurredAt),
    event.actorId,
    event.type,
    taskOf(event),
    summary,
    changes,
    JSON.stringify(event.data),
  ]);
}

/**
 * The rows by COPY (ADR 0037): no SQL literal to lex, no JSON document to take apart, ~60% of the
 * server's time of the `INSERT … SELECT FROM json_to_recordset` it replaces. A redelivered event
 * never reaches here (the revision guard), so there is no conflict to skip: a duplicate key fails
 * the batch, as it should.
 */
function insertRows(tx: BatchTx, rows: readonly HistoryRow[]): void {
  if (rows.length === 0) return;
  tx.copy('board_history', historyColumns, rows.join(''));
}

function insertSnapshots(tx: BatchTx, snapshots: readonly SnapshotRow[]): void {
  if (snapshots.length === 0) return;
  const rows = snapshots.map(
    (snapshot) =>
      `{"board_id":${JSON.stringify(snapshot.boardId)},"revision":${snapshot.revision},"state":${snapshot.state}}`,
  );
  tx.write(
    `INSERT INTO board_snapshots (board_id, revision, state)
     SELECT board_id, revision, state FROM json_to_recordset($1::json) AS r (board_id uuid, revision bigint, state json)
     ON CONFLICT (board_id, revision) DO NOTHING`,
    [`[${rows.join(',')}]`],
  );
}

let active = createHistoryProjection();

/** Sets K for every batch this process projects from now on (config HISTORY_SNAPSHOT_EVERY). */
export function useHistorySnapshotsEvery(snapshotEvery: number): void {
  active = createHistoryProjection({ snapshotEvery });
}

/** The projection every batch runs (live and rebuild; `projectEvents`, projections/index.ts). */
export const historyProjection: HistoryProjection = Object.assign(
  (tx: BatchTx, events: readonly Envelope[]) => active(tx, events),
  { prefetch: (tx: BatchTx, events: readonly Envelope[]) => active.prefetch(tx, events) },
);
