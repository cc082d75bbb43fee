import type { BoardEvent, Envelope } from '@primetrade/domain';

/**
 * A batch's changes to one task row, folded in event order (docs/adr/0019-set-based-projector.md):
 * plain fields keep their last value; assignees and labels keep the effect of their adds and removes.
 * Applied to a row whose values are unknown here (SQL, `tasks.projection.ts`) or known (a row this
 * batch creates, `applyPatch`), with the same result as applying the events one by one.
 */
export interface TaskPatch {
  title?: string;
  description?: string;
  priority?: string;
  /** Present when changed (null: no due date any more). */
  dueDate?: string | null;
  columnId?: string;
  position?: string;
  /** Status and completion instant change together. */
  status?: 'open' | 'completed';
  completedAt?: string | null;
  archived?: boolean;
  assignees: ArrayOps;
  labels: ArrayOps;
  /** The last change: every update sets the row's `updated_at` and `revision` (a renumbering only `revision`). */
  updatedAt?: string;
  revision?: number;
}

/**
 * Adds (append if absent) and removes (every occurrence) on an array, as one step: the result is the
 * array's elements that were never removed, then the `appended` ones, in order, that were removed
 * before or were not there. An add of something already appended changes nothing; a remove takes
 * it out of `appended` again.
 */
export interface ArrayOps {
  readonly removed: string[];
  readonly appended: string[];
}

export const emptyPatch = (): TaskPatch => ({
  assignees: { removed: [], appended: [] },
  labels: { removed: [], appended: [] },
});

export const isEmptyPatch = (patch: TaskPatch): boolean => patch.revision === undefined;

function add(ops: ArrayOps, value: string): void {
  if (!ops.appended.includes(value)) ops.appended.push(value);
}

function remove(ops: ArrayOps, value: string): void {
  if (!ops.removed.includes(value)) ops.removed.push(value);
  const index = ops.appended.indexOf(value);
  if (index >= 0) ops.appended.splice(index, 1);
}

/** The array after `ops` (the TypeScript twin of the SQL in `tasks.projection.ts`). */
export function applyOps(values: readonly string[], ops: ArrayOps): string[] {
  const kept = values.filter((value) => !ops.removed.includes(value));
  const appended = ops.appended.filter((value) => ops.removed.includes(value) || !values.includes(value));
  return [...kept, ...appended];
}

/** Folds one task update into `patch`; false for an event that is not a task update. */
export function foldUpdate(patch: TaskPatch, event: Envelope<BoardEvent>): boolean {
  const e = event as Envelope;
  switch (e.type) {
    case 'TaskTitleChanged':
      patch.title = e.data.title;
      break;
    case 'TaskDescriptionChanged':
      patch.description = e.data.description;
      break;
    case 'TaskPriorityChanged':
      patch.priority = e.data.priority;
      break;
    case 'TaskDueDateChanged':
      patch.dueDate = e.data.dueDate;
      break;
    case 'TaskMoved':
      patch.columnId = e.data.toColumnId;
      patch.position = e.data.position;
      break;
    case 'TaskAssigned':
      add(patch.assignees, e.data.userId);
      break;
    case 'TaskUnassigned':
      remove(patch.assignees, e.data.userId);
      break;
    case 'TaskLabelAdded':
      add(patch.labels, e.data.label);
      break;
    case 'TaskLabelRemoved':
      remove(patch.labels, e.data.label);
      break;
    case 'TaskCompleted':
      patch.status = 'completed';
      patch.completedAt = e.data.completedAt ?? e.occurredAt;
      break;
    case 'TaskReopened':
      patch.status = 'open';
      patch.completedAt = null;
      break;
    case 'TaskArchived':
    case 'TaskRestored':
      patch.archived = e.type === 'TaskArchived';
      break;
    default:
      return false;
  }
  patch.updatedAt = e.occurredAt;
  patch.revision = e.revision;
  return true;
}

/** A `tasks` row as the projection inserts it (column names as in the table). */
export interface TaskRow {
  id: string;
  board_id: string;
  column_id: string;
  position: string;
  title: string;
  description: string;
  priority: string;
  due_date: string | null;
  assignee_ids: string[];
  labels: string[];
  status: string;
  archived: boolean;
  created_by: string;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  revision: number;
}

/** `row` after `patch`: what the events' updates would have made of the row once inserted. */
export function applyPatch(row: TaskRow, patch: TaskPatch): TaskRow {
  if (isEmptyPatch(patch)) return row;
  const changed = (value: unknown) => value !== undefined;
  return {
    ...row,
    title: patch.title ?? row.title,
    description: patch.description ?? row.description,
    priority: patch.priority ?? row.priority,
    due_date: changed(patch.dueDate) ? patch.dueDate! : row.due_date,
    column_id: patch.columnId ?? row.column_id,
    position: patch.position ?? row.position,
    status: patch.status ?? row.status,
    completed_at: changed(patch.status) ? patch.completedAt! : row.completed_at,
    archived: patch.archived ?? row.archived,
    assignee_ids: applyOps(row.assignee_ids, patch.assignees),
    labels: applyOps(row.labels, patch.labels),
    updated_at: patch.updatedAt ?? row.updated_at,
    revision: patch.revision ?? row.revision,
  };
}
