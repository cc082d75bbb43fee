import {
  foldBoard,
  type BoardState,
  type BoardViewDto,
  type Envelope,
  type Task,
  type TaskDto,
} from '@primetrade/domain';

/**
 * What the client knows about the part of a column it has not loaded yet, in a board read by
 * column pages (docs/adr/0023-big-boards-column-pages.md).
 */
export interface ColumnPaging {
  /** Non-archived tasks of the column not in the store: the count shown is the loaded ones plus these. */
  readonly unloaded: number;
  /** The server's cursor after the loaded part; null when the column is loaded to its end. */
  readonly cursor: string | null;
  /** The column's keys were rebalanced since the cursor was given: the next page starts over (duplicates are skipped). */
  readonly restart: boolean;
}

/** Column id → paging; a column missing from it (or an empty map: a whole view) is loaded whole. */
export type Paging = ReadonlyMap<string, ColumnPaging>;

export const noPaging: Paging = new Map();

export const hasMore = (paging: ColumnPaging | undefined): boolean =>
  paging !== undefined && (paging.cursor !== null || paging.restart);

/** From a view: the columns it answered only partly (`columnPages`); none for a whole view. */
export function pagingOfView(view: BoardViewDto): Paging {
  if (view.columnPages === undefined) return noPaging;
  const loaded = new Map<string, number>();
  for (const task of view.tasks) if (!task.archived) loaded.set(task.columnId, (loaded.get(task.columnId) ?? 0) + 1);
  const paging = new Map<string, ColumnPaging>();
  for (const page of view.columnPages) {
    if (page.nextCursor === null) continue;
    const unloaded = Math.max(0, page.taskCount - (loaded.get(page.columnId) ?? 0));
    paging.set(page.columnId, { unloaded, cursor: page.nextCursor, restart: false });
  }
  return paging;
}

/**
 * Keeps the unloaded counts after events: a task the store does not hold that moves between
 * columns leaves one column's unloaded part for the other's; a rebalance of a partly loaded column
 * invalidates its cursor. Deletes and archives of tasks not loaded name no column: the count of
 * that column stays one too high until the board is read again (docs/limitations.md).
 */
export function pagingAfterEvents(
  paging: Paging,
  events: readonly Envelope[],
  isLoaded: (taskId: string) => boolean,
): Paging {
  if (paging.size === 0) return paging;
  let next: Map<string, ColumnPaging> | null = null;
  const update = (columnId: string, change: (current: ColumnPaging) => ColumnPaging) => {
    const current = (next ?? paging).get(columnId);
    if (current === undefined) return;
    next ??= new Map(paging);
    next.set(columnId, change(current));
  };
  for (const event of events) {
    if (event.type === 'TaskMoved' && !isLoaded(event.data.taskId)) {
      update(event.data.fromColumnId, (current) => ({ ...current, unloaded: Math.max(0, current.unloaded - 1) }));
      update(event.data.toColumnId, (current) => ({ ...current, unloaded: current.unloaded + 1 }));
    } else if (event.type === 'ColumnPositionsRebalanced') {
      update(event.data.columnId, (current) => ({ ...current, restart: true }));
    }
  }
  return next ?? paging;
}

/**
 * After a page of `columnId` was merged: `added` of its tasks were new to the store. `from` is the
 * paging the request was made with; when the column was rebalanced meanwhile, the cursor the page
 * answered is not trusted and the next page starts over.
 */
export function pagingAfterPage(
  paging: Paging,
  columnId: string,
  from: ColumnPaging,
  page: { readonly nextCursor: string | null },
  added: number,
): Paging {
  const current = paging.get(columnId);
  if (current === undefined) return paging;
  const next = new Map(paging);
  const unloaded = Math.max(0, current.unloaded - added);
  if (current.restart && !from.restart) next.set(columnId, { ...current, unloaded });
  else if (page.nextCursor === null) next.delete(columnId);
  else next.set(columnId, { unloaded, cursor: page.nextCursor, restart: false });
  return next;
}

/** One task found outside the page order (opened by its link): one fewer unloaded in its column. */
export function pagingAfterOne(
  paging: Paging,
  task: { readonly columnId: string; readonly archived: boolean },
): Paging {
  const current = paging.get(task.columnId);
  if (current === undefined || task.archived) return paging;
  return new Map(paging).set(task.columnId, { ...current, unloaded: Math.max(0, current.unloaded - 1) });
}

/** A task of a page as the store holds it (comments are loaded by the task panel). */
export const taskOf = ({ boardId: _boardId, ...task }: TaskDto): Task => ({
  ...task,
  assigneeIds: [...task.assigneeIds],
  labels: [...task.labels],
  comments: {},
});

/**
 * Tasks read at `revision` brought to `target` (the store's revision) with the events in between,
 * folded on a board holding only them: a task deleted meanwhile is left out, one moved is moved.
 */
export async function tasksAtRevision(
  board: Exclude<BoardState, { status: 'initial' }>,
  tasks: readonly Task[],
  revision: number,
  target: number,
  feed: { eventsAfter(revision: number): Promise<{ readonly events: readonly Envelope[] }> },
): Promise<Task[]> {
  const events: Envelope[] = [];
  for (let after = revision; after < target;) {
    const fetched = (await feed.eventsAfter(after)).events.filter((event) => event.revision > after);
    if (fetched.length === 0) break;
    events.push(...fetched.filter((event) => event.revision <= target));
    after = fetched.at(-1)?.revision ?? target;
  }
  const ids = new Set(tasks.map((task) => task.id));
  const start: BoardState = { ...board, revision, tasks: Object.fromEntries(tasks.map((task) => [task.id, task])) };
  const folded = foldBoard(events, start);
  return folded.status === 'initial' ? [...tasks] : Object.values(folded.tasks).filter((task) => ids.has(task.id));
}

/** Non-archived tasks per column: the loaded ones plus those known to be there, not loaded yet. */
export function countsOf(tasksByColumn: ReadonlyMap<string, readonly Task[]>, paging: Paging): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [columnId, tasks] of tasksByColumn) {
    const loaded = tasks.reduce((sum, task) => sum + (task.archived ? 0 : 1), 0);
    counts.set(columnId, loaded + (paging.get(columnId)?.unloaded ?? 0));
  }
  return counts;
}
