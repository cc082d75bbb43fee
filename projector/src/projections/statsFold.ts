import type { Envelope } from '@primetrade/domain';

/**
 * The statistics of a batch folded in TypeScript from the rows it touches, event by event, with the
 * rules the per-event statements had (docs/api.md "Statistics"; docs/adr/0019-set-based-projector.md):
 * a column is "refreshed" after TaskCreated, a move between columns, TaskArchived/Restored/Deleted/
 * Reinstated and ColumnWipLimitSet — its count written as its day's flow, and its WIP breach opened,
 * grown or ended. Counts change by deltas; nothing is recounted.
 */

/** A `task_stats` row (instants as PostgreSQL's JSON gives them, written back unchanged). */
export interface TaskStatsRow {
  task_id: string;
  board_id: string;
  column_id: string;
  archived: boolean;
  deleted: boolean;
  status: string;
  created_at: string;
  completed_at: string | null;
  cycle_started_at: string | null;
}

export interface ColumnState {
  readonly id: string;
  position: string;
  wipLimit: number | null;
}

export interface Breach {
  readonly board_id: string;
  readonly column_id: string;
  readonly started_at: string;
  ended_at: string | null;
  readonly wip_limit: number;
  peak_tasks: number;
  /** Open before the batch: updated in place, not inserted. */
  readonly stored: boolean;
}

/** What the batch starts from, read before any of its writes. */
export interface StatsState {
  /** Board → its columns. */
  readonly columns: Map<string, Map<string, ColumnState>>;
  /** `board/column` → live tasks there (absent: none). */
  readonly counts: Map<string, number>;
  /** `board/column` → its open breach. */
  readonly open: Map<string, Breach>;
  /** Task → its row (task_stats is keyed by task alone). */
  readonly tasks: Map<string, TaskStatsRow>;
}

/** What the batch writes. */
export interface StatsChanges {
  readonly tasks: Set<TaskStatsRow>;
  /** `board/column` whose count changed. */
  readonly counts: Set<string>;
  /** `board/column/day` → the count at the column's last refresh of that day. */
  readonly flow: Map<string, number>;
  /** Every breach the batch opened, grew or ended. */
  readonly breaches: Set<Breach>;
}

/** A second TaskCreated of a task: the row is there (deleted tasks keep theirs), as the INSERT found. */
export class TaskStatsExistError extends Error {
  override readonly name = 'TaskStatsExistError';
}

const utcDay = (instant: string) => new Date(instant).toISOString().slice(0, 10);
const live = (row: TaskStatsRow) => !row.archived && !row.deleted;
const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** The first column by position, then id, in PostgreSQL's order (`COLLATE "C"`: bytes; uuids: bytes). */
function firstColumn(columns: Map<string, ColumnState> | undefined): string | undefined {
  let first: ColumnState | undefined;
  for (const column of columns?.values() ?? []) {
    const order = first ? Buffer.compare(utf8(column.position), utf8(first.position)) : -1;
    if (order < 0 || (order === 0 && column.id < first!.id)) first = column;
  }
  return first?.id;
}

export function foldStatistics(state: StatsState, events: readonly Envelope[]): StatsChanges {
  const changes: StatsChanges = { tasks: new Set(), counts: new Set(), flow: new Map(), breaches: new Set() };
  const shift = (row: TaskStatsRow, delta: number) => {
    if (!live(row)) return;
    const key = `${row.board_id}/${row.column_id}`;
    state.counts.set(key, (state.counts.get(key) ?? 0) + delta);
    changes.counts.add(key);
  };
  const refresh = (boardId: string, columnIds: readonly string[], at: string) => {
    for (const columnId of new Set(columnIds)) {
      const column = state.columns.get(boardId)?.get(columnId);
      if (!column) continue;
      const key = `${boardId}/${columnId}`;
      const tasks = state.counts.get(key) ?? 0;
      changes.flow.set(`${key}/${utcDay(at)}`, tasks);
      trackBreach(state, changes, { boardId, column, tasks, at });
    }
  };
  const rowOn = (boardId: string, taskId: string) => {
    const row = state.tasks.get(taskId);
    return row?.board_id === boardId ? row : undefined;
  };
  const touch = (row: TaskStatsRow) => changes.tasks.add(row);

  for (const event of events) {
    const e = event;
    const at = e.occurredAt;
    switch (e.type) {
      case 'TaskCreated': {
        const { taskId, columnId } = e.data;
        if (state.tasks.has(taskId)) throw new TaskStatsExistError(`task_stats of ${taskId} exist already`);
        const first = firstColumn(state.columns.get(e.boardId));
        const row: TaskStatsRow = {
          task_id: taskId,
          board_id: e.boardId,
          column_id: columnId,
          archived: false,
          deleted: false,
          status: 'open',
          created_at: at,
          completed_at: null,
          cycle_started_at: first !== undefined && columnId === first ? null : at,
        };
        state.tasks.set(taskId, row);
        touch(row);
        shift(row, 1);
        refresh(e.boardId, [columnId], at);
        break;
      }
      case 'TaskMoved': {
        const { taskId, fromColumnId, toColumnId } = e.data;
        const row = rowOn(e.boardId, taskId);
        if (row) {
          const first = firstColumn(state.columns.get(e.boardId));
          shift(row, -1);
          row.column_id = toColumnId;
          shift(row, 1);
          if (row.cycle_started_at === null && fromColumnId !== toColumnId && fromColumnId === first)
            row.cycle_started_at = at;
          touch(row);
        }
        if (fromColumnId !== toColumnId) refresh(e.boardId, [fromColumnId, toColumnId], at);
        break;
      }
      case 'TaskCompleted':
      case 'TaskReopened': {
        const row = rowOn(e.boardId, e.data.taskId);
        if (!row) break;
        row.status = e.type === 'TaskCompleted' ? 'completed' : 'open';
        row.completed_at = e.type === 'TaskCompleted' ? (e.data.completedAt ?? at) : null;
        touch(row);
        break;
      }
      case 'TaskArchived':
      case 'TaskRestored':
      case 'TaskDeleted': {
        const row = rowOn(e.boardId, e.data.taskId);
        if (row) {
          shift(row, -1);
          if (e.type === 'TaskDeleted') row.deleted = true;
          else row.archived = e.type === 'TaskArchived';
          shift(row, 1);
          touch(row);
        }
        const current = state.tasks.get(e.data.taskId);
        if (current) refresh(e.boardId, [current.column_id], at);
        break;
      }
      case 'TaskReinstated': {
        const row = reinstate(state, e.boardId, e.data.taskId, e.data.task, shift);
        touch(row);
        refresh(e.boardId, [row.column_id], at);
        break;
      }
      case 'ColumnAdded': {
        const { columnId, position, wipLimit } = e.data;
        const columns = state.columns.get(e.boardId) ?? new Map<string, ColumnState>();
        state.columns.set(e.boardId, columns.set(columnId, { id: columnId, position, wipLimit }));
        break;
      }
      case 'ColumnMoved':
      case 'ColumnWipLimitSet': {
        const column = state.columns.get(e.boardId)?.get(e.data.columnId);
        if (column && e.type === 'ColumnMoved') column.position = e.data.position;
        if (e.type !== 'ColumnWipLimitSet') break;
        if (column) column.wipLimit = e.data.wipLimit;
        refresh(e.boardId, [e.data.columnId], at);
        break;
      }
      case 'ColumnRemoved':
        state.columns.get(e.boardId)?.delete(e.data.columnId);
        break;
      default:
        break;
    }
  }
  return changes;
}

type Snapshot = Extract<Envelope, { type: 'TaskReinstated' }>['data']['task'];

/**
 * An undone delete: the task as it was, live again with its own instants. A row kept from the delete
 * keeps its board and cycle start; without one, the cycle starts as a new task's would.
 */
function reinstate(
  state: StatsState,
  boardId: string,
  taskId: string,
  task: Snapshot,
  shift: (row: TaskStatsRow, delta: number) => void,
): TaskStatsRow {
  const values = {
    column_id: task.columnId,
    archived: task.archived,
    deleted: false,
    status: task.status,
    created_at: task.createdAt,
    completed_at: task.status === 'completed' ? task.completedAt : null,
  };
  const existing = state.tasks.get(taskId);
  if (existing) {
    shift(existing, -1);
    Object.assign(existing, values);
    shift(existing, 1);
    return existing;
  }
  const first = firstColumn(state.columns.get(boardId));
  const cycle = first !== undefined && task.columnId === first ? null : task.createdAt;
  const row: TaskStatsRow = { task_id: taskId, board_id: boardId, ...values, cycle_started_at: cycle };
  state.tasks.set(taskId, row);
  shift(row, 1);
  return row;
}

/** A breach opens when a refresh finds the column over its limit, grows while it stays over, ends when not. */
function trackBreach(
  state: StatsState,
  changes: StatsChanges,
  refreshed: { boardId: string; column: ColumnState; tasks: number; at: string },
): void {
  const { boardId, column, tasks, at } = refreshed;
  const key = `${boardId}/${column.id}`;
  const open = state.open.get(key);
  if (open && (column.wipLimit === null || tasks <= column.wipLimit)) {
    open.ended_at = at;
    state.open.delete(key);
    changes.breaches.add(open);
  } else if (column.wipLimit !== null && tasks > column.wipLimit) {
    const breach = open ?? {
      board_id: boardId,
      column_id: column.id,
      started_at: at,
      ended_at: null,
      wip_limit: column.wipLimit,
      peak_tasks: tasks,
      stored: false,
    };
    breach.peak_tasks = Math.max(breach.peak_tasks, tasks);
    state.open.set(key, breach);
    changes.breaches.add(breach);
  }
}
