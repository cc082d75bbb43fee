import { keepPlan } from '@primetrade/platform';
import type { BatchTx } from './batchTx.js';
import type { Envelope, TaskCreated, TaskReinstated } from '@primetrade/domain';
import { reinstateComments, type ReinstatedComment } from './comments.projection.js';
import { taskKey, type TaskScoped } from './projection.js';
import { applyPatch, emptyPatch, foldUpdate, isEmptyPatch, type TaskPatch, type TaskRow } from './taskPatch.js';

/**
 * `tasks`, set-based (docs/adr/0019-set-based-projector.md): each task of the batch folds its events
 * into one outcome — deleted, inserted as its last create/undo left it (with what followed folded in),
 * or updated by one patch — and each outcome kind is one statement for the whole batch. A row keeps the
 * board revision of its last change.
 */

type Existence = 'TaskCreated' | 'TaskReinstated' | 'TaskDeleted';
const existenceTypes: ReadonlySet<string> = new Set<Existence>(['TaskCreated', 'TaskReinstated', 'TaskDeleted']);

/** Where a task's row last came or went in the batch: what its comment events meet (`comments.projection.ts`). */
export interface TaskExistence {
  /** Index in the batch of the last create, undo or delete. */
  readonly index: number;
  readonly exists: boolean;
}

const isTaskScoped = (event: Envelope): event is TaskScoped =>
  typeof (event.data as { taskId?: unknown }).taskId === 'string';

export function lastExistence(events: readonly Envelope[]): Map<string, TaskExistence> {
  const last = new Map<string, TaskExistence>();
  events.forEach((event, index) => {
    if (existenceTypes.has(event.type) && isTaskScoped(event))
      last.set(taskKey(event), { index, exists: event.type !== 'TaskDeleted' });
  });
  return last;
}

/** One task's batch: what to write. */
interface TaskOutcome {
  /** The row goes first: a delete, or a delete before the create or undo that `insert` holds. */
  remove: boolean;
  insert: Envelope<TaskCreated> | Envelope<TaskReinstated> | null;
  patch: TaskPatch;
}

/** A second create (or undo) of a row that is there fails, as its INSERT would one by one. */
export class TaskExistsError extends Error {
  override readonly name = 'TaskExistsError';
  constructor(event: TaskScoped) {
    super(`Task ${event.data.taskId} of board ${event.boardId} already exists (revision ${event.revision})`);
  }
}

/**
 * New key, same order (docs/adr/0022-position-key-rebalancing.md): the task's content did not change,
 * so `updated_at` stays, as in the fold; only the key and the row's revision move.
 */
function renumber(patch: TaskPatch, position: string, revision: number): void {
  patch.position = position;
  patch.revision = revision;
}

function outcomes(events: readonly Envelope[]): Map<string, TaskOutcome> {
  const byTask = new Map<string, TaskOutcome>();
  const outcomeOf = (key: string): TaskOutcome => {
    const outcome = byTask.get(key) ?? { remove: false, insert: null, patch: emptyPatch() };
    byTask.set(key, outcome);
    return outcome;
  };
  for (const event of events) {
    if (event.type === 'ColumnPositionsRebalanced') {
      for (const { taskId, position } of event.data.positions)
        renumber(outcomeOf(`${event.boardId}/${taskId}`).patch, position, event.revision);
      continue;
    }
    if (!isTaskScoped(event) || !event.type.startsWith('Task')) continue;
    const outcome = outcomeOf(taskKey(event));
    if (event.type === 'TaskCreated' || event.type === 'TaskReinstated') {
      if (outcome.insert) throw new TaskExistsError(event);
      outcome.insert = event;
      outcome.patch = emptyPatch();
    } else if (event.type === 'TaskDeleted') {
      Object.assign(outcome, { remove: true, insert: null, patch: emptyPatch() });
    } else if (!(outcome.remove && !outcome.insert)) {
      // An update after the delete meets no row.
      foldUpdate(outcome.patch, event);
    }
  }
  return byTask;
}

function insertedRow(event: Envelope<TaskCreated> | Envelope<TaskReinstated>): TaskRow {
  if (event.type === 'TaskCreated') {
    const d = event.data;
    return {
      id: d.taskId,
      board_id: event.boardId,
      column_id: d.columnId,
      position: d.position,
      title: d.title,
      description: d.description,
      priority: d.priority,
      due_date: d.dueDate,
      assignee_ids: [...d.assigneeIds],
      labels: [...d.labels],
      status: 'open',
      archived: false,
      created_by: event.actorId,
      created_at: event.occurredAt,
      updated_at: event.occurredAt,
      completed_at: null,
      revision: event.revision,
    };
  }
  const { taskId, task: t } = event.data;
  // The row exactly as the fold has it: the snapshot's own timestamps, this event's revision.
  return {
    id: taskId,
    board_id: event.boardId,
    column_id: t.columnId,
    position: t.position,
    title: t.title,
    description: t.description,
    priority: t.priority,
    due_date: t.dueDate,
    assignee_ids: [...t.assigneeIds],
    labels: [...t.labels],
    status: t.status,
    archived: t.archived,
    created_by: t.createdBy,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    completed_at: t.completedAt,
    revision: event.revision,
  };
}

const insertTasks = `
  INSERT INTO tasks (id, board_id, column_id, position, title, description, priority, due_date, assignee_ids,
                     labels, status, archived, created_by, created_at, updated_at, completed_at, revision)
  SELECT x.id, x.board_id, x.column_id, x.position, x.title, x.description, x.priority, x.due_date, x.assignee_ids,
         x.labels, x.status, x.archived, x.created_by, x.created_at, x.updated_at, x.completed_at, x.revision
  FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, board_id uuid, column_id uuid, position text, title text,
       description text, priority text, due_date timestamptz, assignee_ids uuid[], labels text[], status text,
       archived boolean, created_by uuid, created_at timestamptz, updated_at timestamptz, completed_at timestamptz,
       revision bigint)`;

/** `ArrayOps` in SQL: the elements never removed, then the appended ones that were removed or absent. */
const arrayAfter = (column: string, type: string) => `CASE
    WHEN cardinality(x.${column}_removed) = 0 AND cardinality(x.${column}_appended) = 0 THEN t.${column}
    ELSE ARRAY(SELECT v FROM unnest(t.${column}) WITH ORDINALITY AS k (v, n)
               WHERE NOT (v = ANY (x.${column}_removed)) ORDER BY n)::${type}[]
      || ARRAY(SELECT v FROM unnest(x.${column}_appended) WITH ORDINALITY AS k (v, n)
               WHERE v = ANY (x.${column}_removed) OR NOT (v = ANY (t.${column})) ORDER BY n)::${type}[] END`;

const patchTasks = keepPlan(`
  UPDATE tasks AS t SET
    title = coalesce(x.title, t.title),
    description = coalesce(x.description, t.description),
    priority = coalesce(x.priority, t.priority),
    due_date = CASE WHEN x.due_date_changed THEN x.due_date ELSE t.due_date END,
    column_id = coalesce(x.column_id, t.column_id),
    position = coalesce(x.position, t.position),
    status = coalesce(x.status, t.status),
    completed_at = CASE WHEN x.status IS NULL THEN t.completed_at ELSE x.completed_at END,
    archived = coalesce(x.archived, t.archived),
    assignee_ids = ${arrayAfter('assignee_ids', 'uuid')},
    labels = ${arrayAfter('labels', 'text')},
    updated_at = coalesce(x.updated_at, t.updated_at),
    revision = x.revision
  FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, board_id uuid, title text, description text, priority text,
       due_date_changed boolean, due_date timestamptz, column_id uuid, position text, status text,
       completed_at timestamptz, archived boolean, assignee_ids_removed uuid[], assignee_ids_appended uuid[],
       labels_removed text[], labels_appended text[], updated_at timestamptz, revision bigint)
  WHERE t.id = ANY ($2::uuid[]) AND t.id = x.id AND t.board_id = x.board_id`);

function patchRow(key: string, patch: TaskPatch) {
  const [boardId, taskId] = key.split('/');
  return {
    id: taskId,
    board_id: boardId,
    title: patch.title,
    description: patch.description,
    priority: patch.priority,
    due_date_changed: patch.dueDate !== undefined,
    due_date: patch.dueDate ?? null,
    column_id: patch.columnId,
    position: patch.position,
    status: patch.status,
    completed_at: patch.completedAt ?? null,
    archived: patch.archived,
    assignee_ids_removed: patch.assignees.removed,
    assignee_ids_appended: patch.assignees.appended,
    labels_removed: patch.labels.removed,
    labels_appended: patch.labels.appended,
    updated_at: patch.updatedAt,
    revision: patch.revision,
  };
}

/**
 * The ids again as an array (`t.id = ANY (…)`), next to the recordset: the planner sees how many
 * rows there are and takes the primary key instead of scanning the table (cost flat in its size).
 */
export const idsOf = (rows: readonly { readonly id?: string | undefined }[]): string[] => rows.map((row) => row.id!);

export async function projectTasks(tx: BatchTx, events: readonly Envelope[]): Promise<void> {
  const byTask = outcomes(events);
  const removed: { id: string; board_id: string }[] = [];
  const inserted: TaskRow[] = [];
  const comments: ReinstatedComment[] = [];
  const patches: ReturnType<typeof patchRow>[] = [];
  for (const [key, outcome] of byTask) {
    if (outcome.remove) {
      const [boardId, taskId] = key.split('/');
      removed.push({ id: taskId!, board_id: boardId! });
    }
    if (outcome.insert) {
      inserted.push(applyPatch(insertedRow(outcome.insert), outcome.patch));
      if (outcome.insert.type === 'TaskReinstated') {
        const { taskId, task } = outcome.insert.data;
        const boardId = outcome.insert.boardId;
        for (const comment of Object.values(task.comments)) comments.push({ ...comment, taskId, boardId });
      }
    } else if (!outcome.remove && !isEmptyPatch(outcome.patch)) patches.push(patchRow(key, outcome.patch));
  }
  if (removed.length > 0)
    tx.write(
      `DELETE FROM tasks AS t USING jsonb_to_recordset($1::jsonb) AS x (id uuid, board_id uuid)
       WHERE t.id = ANY ($2::uuid[]) AND t.id = x.id AND t.board_id = x.board_id`,
      [JSON.stringify(removed), idsOf(removed)],
    );
  if (inserted.length > 0) tx.write(insertTasks, [JSON.stringify(inserted)]);
  await reinstateComments(tx, comments);
  if (patches.length > 0) tx.write(patchTasks, [JSON.stringify(patches), idsOf(patches)]);
}
