import type { Envelope, TaskCreated } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import type { Projection } from './projection.js';
import { reinstateComments } from './comments.projection.js';

type TaskEvent = Envelope & { readonly data: { readonly taskId: string } };

/**
 * One task row update: `$1` task, `$2` board, `$3` occurredAt, `$4` revision, then `extra`.
 * `assignments` is a constant from this file, never input.
 */
async function updateTask(tx: SqlQueryable, event: TaskEvent, assignments: string, extra: readonly unknown[] = []) {
  await tx.query(`UPDATE tasks SET ${assignments}, updated_at = $3, revision = $4 WHERE id = $1 AND board_id = $2`, [
    event.data.taskId,
    event.boardId,
    event.occurredAt,
    event.revision,
    ...extra,
  ]);
}

/**
 * Many TaskCreated in a row (imports, replays) as ONE statement; same rows as the handler below.
 * The events are in revision order and already passed the guard.
 */
export async function createTasks(tx: SqlQueryable, events: readonly Envelope<TaskCreated>[]): Promise<void> {
  const rows = events.map((event) => ({
    ...event.data,
    boardId: event.boardId,
    createdBy: event.actorId,
    occurredAt: event.occurredAt,
    revision: event.revision,
  }));
  await tx.query(
    `INSERT INTO tasks (id, board_id, column_id, position, title, description, priority, due_date,
                        assignee_ids, labels, status, archived, created_by, created_at, updated_at, revision)
     SELECT x."taskId", x."boardId", x."columnId", x.position, x.title, x.description, x.priority, x."dueDate",
            ARRAY(SELECT jsonb_array_elements_text(x."assigneeIds"))::uuid[],
            ARRAY(SELECT jsonb_array_elements_text(x.labels)),
            'open', false, x."createdBy", x."occurredAt", x."occurredAt", x.revision
     FROM jsonb_to_recordset($1::jsonb) AS x ("taskId" uuid, "boardId" uuid, "columnId" uuid, position text,
          title text, description text, priority text, "dueDate" timestamptz, "assigneeIds" jsonb, labels jsonb,
          "createdBy" uuid, "occurredAt" timestamptz, revision bigint)`,
    [JSON.stringify(rows)],
  );
}

/** `tasks`: every row keeps the board revision of its last change. */
export const tasksProjection = {
  async TaskCreated(tx, event) {
    const d = event.data;
    await tx.query(
      `INSERT INTO tasks (id, board_id, column_id, position, title, description, priority, due_date,
                          assignee_ids, labels, status, archived, created_by, created_at, updated_at, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::uuid[], $10::text[], 'open', false, $11, $12, $12, $13)`,
      [
        d.taskId,
        event.boardId,
        d.columnId,
        d.position,
        d.title,
        d.description,
        d.priority,
        d.dueDate,
        d.assigneeIds,
        d.labels,
        event.actorId,
        event.occurredAt,
        event.revision,
      ],
    );
  },
  TaskTitleChanged: (tx, event) => updateTask(tx, event, 'title = $5', [event.data.title]),
  TaskDescriptionChanged: (tx, event) => updateTask(tx, event, 'description = $5', [event.data.description]),
  TaskMoved: (tx, event) =>
    updateTask(tx, event, 'column_id = $5, position = $6', [event.data.toColumnId, event.data.position]),
  // New keys, same order: the tasks' content did not change, so `updated_at` stays (as in the fold).
  async ColumnPositionsRebalanced(tx, event) {
    await tx.query(
      `UPDATE tasks t SET position = x.position, revision = $3
       FROM jsonb_to_recordset($1::jsonb) AS x ("taskId" uuid, position text)
       WHERE t.id = x."taskId" AND t.board_id = $2`,
      [JSON.stringify(event.data.positions), event.boardId, event.revision],
    );
  },
  TaskAssigned: (tx, event) =>
    updateTask(
      tx,
      event,
      `assignee_ids = CASE WHEN $5::uuid = ANY (assignee_ids) THEN assignee_ids
                           ELSE array_append(assignee_ids, $5::uuid) END`,
      [event.data.userId],
    ),
  TaskUnassigned: (tx, event) =>
    updateTask(tx, event, 'assignee_ids = array_remove(assignee_ids, $5::uuid)', [event.data.userId]),
  TaskLabelAdded: (tx, event) =>
    updateTask(
      tx,
      event,
      'labels = CASE WHEN $5::text = ANY (labels) THEN labels ELSE array_append(labels, $5::text) END',
      [event.data.label],
    ),
  TaskLabelRemoved: (tx, event) => updateTask(tx, event, 'labels = array_remove(labels, $5::text)', [event.data.label]),
  TaskPriorityChanged: (tx, event) => updateTask(tx, event, 'priority = $5', [event.data.priority]),
  TaskDueDateChanged: (tx, event) => updateTask(tx, event, 'due_date = $5', [event.data.dueDate]),
  TaskCompleted: (tx, event) =>
    updateTask(tx, event, `status = 'completed', completed_at = COALESCE($5::timestamptz, $3)`, [
      event.data.completedAt ?? null,
    ]),
  TaskReopened: (tx, event) => updateTask(tx, event, `status = 'open', completed_at = NULL`),
  TaskArchived: (tx, event) => updateTask(tx, event, 'archived = true'),
  TaskRestored: (tx, event) => updateTask(tx, event, 'archived = false'),
  async TaskReinstated(tx, event) {
    const t = event.data.task;
    // The row exactly as the fold has it: the snapshot's own timestamps, this event's revision.
    await tx.query(
      `INSERT INTO tasks (id, board_id, column_id, position, title, description, priority, due_date, assignee_ids,
                          labels, status, archived, created_by, created_at, updated_at, completed_at, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::uuid[], $10::text[], $11, $12, $13, $14, $15, $16, $17)`,
      [
        event.data.taskId,
        event.boardId,
        t.columnId,
        t.position,
        t.title,
        t.description,
        t.priority,
        t.dueDate,
        t.assigneeIds,
        t.labels,
        t.status,
        t.archived,
        t.createdBy,
        t.createdAt,
        t.updatedAt,
        t.completedAt,
        event.revision,
      ],
    );
    await reinstateComments(tx, event.boardId, event.data.taskId, Object.values(t.comments));
  },
  async TaskDeleted(tx, event) {
    await tx.query('DELETE FROM tasks WHERE id = $1 AND board_id = $2', [event.data.taskId, event.boardId]);
  },
} satisfies Projection;
