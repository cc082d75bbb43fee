import {
  foldStepwise,
  initialBoardState,
  type BoardState,
  type HistoryEntryDto,
  type RecordedBoardEvent,
} from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { isUuid } from './cursor.js';

/**
 * The history read model (`board_history`, `board_snapshots`; migration 009, ADR 0020): history
 * pages by keyset on the revision, and the board at any revision from the nearest snapshot plus
 * the history rows after it.
 */
export interface HistoryRowFilter {
  readonly taskId?: string | undefined;
  readonly actorId?: string | undefined;
  /** Inclusive bounds on the instant, in epoch milliseconds (what `Date.parse` gives). */
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
}

/**
 * Where a board's history stands: `head` is the last revision the read models applied, `complete`
 * says the history rows run from revision 0 to it. A board projected before the history read
 * model existed is not complete until a rebuild; its readers fold the stream instead.
 */
export interface HistoryCoverage {
  readonly head: number;
  readonly complete: boolean;
}

/** pg and PGlite hand `json` columns back parsed; a driver that does not gets them parsed here. */
export const fromJson = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

export async function historyCoverage(sql: SqlQueryable, boardId: string): Promise<HistoryCoverage | null> {
  if (!isUuid(boardId)) return null;
  const [row] = await sql.query<{ head: string; last: string | null }>(
    `SELECT c.last_revision AS head,
            (SELECT max(h.revision) FROM board_history h WHERE h.board_id = c.board_id) AS last
     FROM projection_checkpoints c WHERE c.board_id = $1`,
    [boardId],
  );
  if (!row || Number(row.head) < 0) return null;
  return { head: Number(row.head), complete: row.last !== null && Number(row.last) === Number(row.head) };
}

interface EntryRow {
  revision: string;
  occurred_at: string;
  actor_id: string;
  type: string;
  task_id: string | null;
  summary: string;
  changes: unknown;
}

const entryColumns = 'revision, occurred_at, actor_id, type, task_id, summary, changes';

const toEntry = (row: EntryRow): HistoryEntryDto => ({
  revision: Number(row.revision),
  occurredAt: row.occurred_at,
  actorId: row.actor_id,
  type: row.type,
  taskId: row.task_id,
  summary: row.summary,
  changes: fromJson(row.changes),
});

/** The WHERE clause of a filtered read of one board's rows up to `head`; parameters from $1. */
function whereOf(boardId: string, head: number, filter: HistoryRowFilter): { clause: string; params: unknown[] } {
  const params: unknown[] = [boardId, head];
  const conditions = ['board_id = $1', 'revision <= $2'];
  const add = (condition: string, value: unknown) => {
    params.push(value);
    conditions.push(condition.replace('?', `$${params.length}`));
  };
  if (filter.taskId !== undefined) add('task_id = ?', filter.taskId);
  if (filter.actorId !== undefined) add('actor_id = ?', filter.actorId);
  if (filter.fromMs !== undefined) add('occurred_ms >= ?', filter.fromMs);
  if (filter.toMs !== undefined) add('occurred_ms <= ?', filter.toMs);
  return { clause: conditions.join(' AND '), params };
}

/**
 * One page, newest first: the matching rows below `before` (and at most `head`), at most `limit`,
 * and whether older ones match too.
 */
export async function historyPageRows(
  sql: SqlQueryable,
  boardId: string,
  head: number,
  query: HistoryRowFilter & { readonly before?: number | undefined; readonly limit: number },
): Promise<{ entries: HistoryEntryDto[]; more: boolean }> {
  const below = query.before === undefined ? head : Math.min(head, query.before - 1);
  const { clause, params } = whereOf(boardId, below, query);
  const rows = await sql.query<EntryRow>(
    `SELECT ${entryColumns} FROM board_history WHERE ${clause} ORDER BY revision DESC LIMIT $${params.length + 1}`,
    [...params, query.limit + 1],
  );
  return { entries: rows.slice(0, query.limit).map(toEntry), more: rows.length > query.limit };
}

/** Every matching row up to `head`, oldest first (the export). */
export async function historyRows(
  sql: SqlQueryable,
  boardId: string,
  head: number,
  filter: HistoryRowFilter,
): Promise<HistoryEntryDto[]> {
  const { clause, params } = whereOf(boardId, head, filter);
  const rows = await sql.query<EntryRow>(
    `SELECT ${entryColumns} FROM board_history WHERE ${clause} ORDER BY revision`,
    params,
  );
  return rows.map(toEntry);
}

/** The last revision up to `head` whose event happened at or before `atMs` (stream order), or -1. */
export async function lastRevisionAtOrBefore(
  sql: SqlQueryable,
  boardId: string,
  head: number,
  atMs: number,
): Promise<number> {
  // The fold stops at the first event after the instant, in stream order: the smallest such revision.
  const [row] = await sql.query<{ first_after: string | null }>(
    `SELECT min(revision) AS first_after FROM board_history
     WHERE board_id = $1 AND revision <= $2 AND occurred_ms > $3`,
    [boardId, head, atMs],
  );
  return row?.first_after === null || row?.first_after === undefined ? head : Number(row.first_after) - 1;
}

/** When the event at `revision` happened, as its envelope said; null without a row. */
export async function occurredAtOf(sql: SqlQueryable, boardId: string, revision: number): Promise<string | null> {
  const [row] = await sql.query<{ occurred_at: string }>(
    'SELECT occurred_at FROM board_history WHERE board_id = $1 AND revision = $2',
    [boardId, revision],
  );
  return row?.occurred_at ?? null;
}

interface EventRow {
  revision: string;
  event_id: string;
  occurred_at: string;
  actor_id: string;
  type: string;
  data: unknown;
}

/** The event as the fold needs it, rebuilt from its history row. */
const toRecorded = (row: EventRow): RecordedBoardEvent =>
  ({
    type: row.type,
    data: fromJson(row.data),
    revision: Number(row.revision),
    occurredAt: row.occurred_at,
    actorId: row.actor_id,
  }) as RecordedBoardEvent;

export interface StateAtRevision {
  readonly state: BoardState;
  /** The id of the event at the revision asked for (null at -1). */
  readonly eventId: string | null;
}

/**
 * The board after `revision` (-1: before its first event): the nearest snapshot at or below it,
 * folded forward over the history rows after it. Null when rows are missing in between (a board
 * the history read model does not cover), so no caller ever folds a gap.
 */
export async function boardStateAt(
  sql: SqlQueryable,
  boardId: string,
  revision: number,
): Promise<StateAtRevision | null> {
  if (revision < 0) return { state: initialBoardState, eventId: null };
  const [snapshot] = await sql.query<{ revision: string; state: unknown }>(
    `SELECT revision, state FROM board_snapshots WHERE board_id = $1 AND revision <= $2
     ORDER BY revision DESC LIMIT 1`,
    [boardId, revision],
  );
  const from = snapshot === undefined ? -1 : Number(snapshot.revision);
  const rows = await sql.query<EventRow>(
    `SELECT revision, event_id, occurred_at, actor_id, type, data FROM board_history
     WHERE board_id = $1 AND revision >= $2 AND revision <= $3 ORDER BY revision`,
    [boardId, Math.max(from, 0), revision],
  );
  // With a snapshot, its own row comes first (for its event id); without one, the fold starts at 0.
  const events = snapshot === undefined ? rows : rows.slice(1);
  if (events.length !== revision - from || (snapshot !== undefined && rows.length === 0)) return null;
  const start = snapshot === undefined ? initialBoardState : fromJson<BoardState>(snapshot.state);
  return { state: foldStepwise(events.map(toRecorded), start), eventId: rows.at(-1)?.event_id ?? null };
}
