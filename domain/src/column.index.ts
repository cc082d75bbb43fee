import type { RecordedBoardEvent } from './board.events.js';
import type { Task } from './board.state.js';

export interface Positioned {
  readonly id: string;
  readonly position: string;
}

/** A column's tasks sorted by position, or null when two share a position (their order then needs a scan). */
export type ColumnEntries = readonly Positioned[] | null;
type Tasks = Readonly<Record<string, Task>>;
type ColumnIndex = ReadonlyMap<string, ColumnEntries>;

/**
 * Each column's tasks in order, per `tasks` record. Records are immutable once `evolve` returns
 * them, so the index is memoized by identity; `evolve` derives the next record's index from the
 * previous one by re-placing only the tasks an event touched, so placement need not scan the board.
 * A fold that changes a record it owns changes the record's index with it (`reindexInPlace`).
 */
const indexes = new WeakMap<Tasks, ColumnIndex>();

/** Lower bound: the first index whose position is not below `position`. */
function firstNotBelow(entries: readonly Positioned[], position: string): number {
  let [low, high] = [0, entries.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((entries[middle]?.position ?? '') < position) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Where task `id` at `position` sits in `entries`, or -1. */
export function indexOfEntry(entries: readonly Positioned[], id: string, position: string): number {
  const index = firstNotBelow(entries, position);
  return entries[index]?.id === id ? index : -1;
}

const hasTies = (entries: readonly Positioned[]): boolean =>
  entries.some((entry, index) => index > 0 && entries[index - 1]?.position === entry.position);

function built(tasks: Tasks): ColumnIndex {
  const columns = new Map<string, Positioned[]>();
  for (const task of Object.values(tasks)) {
    const entries = columns.get(task.columnId) ?? [];
    entries.push({ id: task.id, position: task.position });
    columns.set(task.columnId, entries);
  }
  const index = new Map<string, ColumnEntries>();
  for (const [columnId, entries] of columns) {
    entries.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    index.set(columnId, hasTies(entries) ? null : entries);
  }
  return index;
}

/** The sorted tasks of `columnId` in `tasks` (empty when it has none), or null when a scan must decide. */
export function columnEntries(tasks: Tasks, columnId: string): ColumnEntries {
  let index = indexes.get(tasks);
  if (index === undefined) {
    index = built(tasks);
    indexes.set(tasks, index);
  }
  return index.has(columnId) ? (index.get(columnId) ?? null) : [];
}

/**
 * Indexes that one `tasks` record alone holds, changed in place as the fold changes the record
 * (`reindexInPlace`), with the columns whose entries are its own too; the others' entries are shared
 * with the index it was derived from, and copied before their first change. Sharing the index again
 * (`shareColumnIndex`, `carryColumnIndex`) ends that: the next change in place starts a new one.
 */
const ownIndexes = new WeakMap<ColumnIndex, Set<string>>();

/** Copy-on-write columns of a derivation: each column not in `copied` is copied once, before its first change. */
class Derivation {
  readonly #next: Map<string, ColumnEntries>;
  readonly #copied: Set<string>;

  constructor(next: Map<string, ColumnEntries>, copied: Set<string>) {
    this.#next = next;
    this.#copied = copied;
  }

  #writable(columnId: string): Positioned[] | null {
    const entries = this.#next.has(columnId) ? (this.#next.get(columnId) ?? null) : [];
    if (entries === null) return null;
    if (this.#copied.has(columnId)) return entries as Positioned[];
    const copy = [...entries];
    this.#copied.add(columnId);
    this.#next.set(columnId, copy);
    return copy;
  }

  remove(task: Task): void {
    const entries = this.#writable(task.columnId);
    if (entries === null) return;
    const index = indexOfEntry(entries, task.id, task.position);
    if (index >= 0) entries.splice(index, 1);
    else this.#next.set(task.columnId, null);
  }

  insert(task: Task): void {
    const entries = this.#writable(task.columnId);
    if (entries === null) return;
    const index = firstNotBelow(entries, task.position);
    if (entries[index]?.position === task.position) this.#next.set(task.columnId, null);
    else entries.splice(index, 0, { id: task.id, position: task.position });
  }

  get result(): ColumnIndex {
    return this.#next;
  }
}

/** The tasks an event changes (the keys of the `tasks` record it may write). */
export const taskIdsOf = (event: RecordedBoardEvent): readonly string[] => {
  if (event.type === 'ColumnPositionsRebalanced') return event.data.positions.map((entry) => entry.taskId);
  return 'taskId' in event.data ? [event.data.taskId] : [];
};

/** Task `id` of `tasks`, its own key only (a key like `toString` is no task). */
export const own = (tasks: Tasks, id: string): Task | undefined => (Object.hasOwn(tasks, id) ? tasks[id] : undefined);

/**
 * Every moved task leaves its old place before any takes its new one: an event that moves many at
 * once (a rebalance) would otherwise meet a task's old key at another's new one, a tie that is not
 * there, and give the column up to scans for good.
 */
function reindex(derivation: Derivation, ids: readonly string[], olds: readonly (Task | undefined)[], tasks: Tasks) {
  const moved: Task[] = [];
  ids.forEach((id, index) => {
    const [old, next] = [olds[index], own(tasks, id)];
    if (old?.columnId === next?.columnId && old?.position === next?.position) return;
    if (old !== undefined) derivation.remove(old);
    if (next !== undefined) moved.push(next);
  });
  for (const task of moved) derivation.insert(task);
}

/**
 * Gives `after` (just derived from `before` by `event`, never to be mutated) the index of `before`
 * with the event's tasks re-placed, when `before` has one; otherwise `after`'s is built on demand.
 */
export function carryColumnIndex(before: Tasks, after: Tasks, event: RecordedBoardEvent): void {
  const previous = indexes.get(before);
  if (previous === undefined || before === after) return;
  const ids = [...new Set(taskIdsOf(event))];
  // The new index shares the untouched columns' entries with `previous`, which stays as it is.
  ownIndexes.delete(previous);
  const derivation = new Derivation(new Map(previous), new Set());
  reindex(
    derivation,
    ids,
    ids.map((id) => own(before, id)),
    after,
  );
  indexes.set(after, derivation.result);
}

/** `copy` holds the same tasks as `original`: it shares its index, which neither then changes in place. */
export function shareColumnIndex(original: Tasks, copy: Tasks): void {
  const index = indexes.get(original);
  if (index === undefined) return;
  ownIndexes.delete(index);
  indexes.set(copy, index);
}

/**
 * For a record a fold changes in place: call it before applying `event`; the function it returns,
 * called after, re-places the event's tasks in the record's index (if it has one).
 */
export function reindexInPlace(tasks: Tasks, event: RecordedBoardEvent): () => void {
  const previous = indexes.get(tasks);
  if (previous === undefined) return () => undefined;
  const ids = [...new Set(taskIdsOf(event))];
  const olds = ids.map((id) => own(tasks, id));
  return () => {
    // The record's own index is changed where it is; a shared one is copied once, then owned.
    let index = previous as Map<string, ColumnEntries>;
    let copied = ownIndexes.get(index);
    if (copied === undefined) {
      index = new Map(index);
      copied = new Set();
      ownIndexes.set(index, copied);
      indexes.set(tasks, index);
    }
    reindex(new Derivation(index, copied), ids, olds, tasks);
  };
}
