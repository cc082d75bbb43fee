/**
 * The read models' projection as it was before it became set-based (docs/adr/0019-set-based-projector.md):
 * one statement per event. Kept as the reference the set-based projection is compared with
 * (`setBased.int.spec.ts`); never used by the projector.
 */
import type { Comment, Envelope } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { boardColumnsProjection } from '../projections/boardColumns.projection.js';
import { batchWriter } from '../projections/batchTx.js';
import { boardsProjection } from '../projections/boards.projection.js';
import { historyProjection } from '../projections/history.projection.js';
import type { Projection } from '../projections/projection.js';
import { statisticsPerEvent } from './perEvent.statistics.testkit.js';

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

/** `tasks`: every row keeps the board revision of its last change. */
export const tasksPerEvent = {
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

/** Comments brought back by an undo, exactly as they were (author, times, body). */
async function reinstateComments(tx: SqlQueryable, boardId: string, taskId: string, comments: readonly Comment[]) {
  if (comments.length === 0) return;
  await tx.query(
    `INSERT INTO comments (id, task_id, board_id, author_id, body, created_at, edited_at)
     SELECT x.id, $1::uuid, $2::uuid, x."authorId", x.body, x."createdAt", x."editedAt"
     FROM jsonb_to_recordset($3::jsonb) AS x (id uuid, "authorId" uuid, body text, "createdAt" timestamptz, "editedAt" timestamptz)
     WHERE EXISTS (SELECT 1 FROM tasks WHERE id = $1 AND board_id = $2)
     ON CONFLICT (id) DO UPDATE
     SET author_id = excluded.author_id, body = excluded.body, created_at = excluded.created_at, edited_at = excluded.edited_at`,
    [taskId, boardId, JSON.stringify(comments)],
  );
}

/** `comments`. Deleting a task removes its comments through the foreign key. */
export const commentsPerEvent = {
  async CommentAdded(tx, event) {
    // On a task that is not there (evolve ignores it) this inserts nothing instead of failing the FK.
    await tx.query(
      `INSERT INTO comments (id, task_id, board_id, author_id, body, created_at)
       SELECT $1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::text, $6::timestamptz WHERE EXISTS (SELECT 1 FROM tasks WHERE id = $2 AND board_id = $3)
       ON CONFLICT (id) DO UPDATE
       SET author_id = excluded.author_id, body = excluded.body, created_at = excluded.created_at, edited_at = NULL`,
      [event.data.commentId, event.data.taskId, event.boardId, event.actorId, event.data.body, event.occurredAt],
    );
  },
  async CommentEdited(tx, event) {
    await tx.query('UPDATE comments SET body = $4, edited_at = $5 WHERE id = $1 AND board_id = $2 AND task_id = $3', [
      event.data.commentId,
      event.boardId,
      event.data.taskId,
      event.data.body,
      event.occurredAt,
    ]);
  },
  CommentReinstated: (tx, event) =>
    reinstateComments(tx, event.boardId, event.data.taskId, [{ ...event.data.comment, id: event.data.commentId }]),
  async CommentDeleted(tx, event) {
    await tx.query('DELETE FROM comments WHERE id = $1 AND board_id = $2 AND task_id = $3', [
      event.data.commentId,
      event.boardId,
      event.data.taskId,
    ]);
  },
} satisfies Projection;

/** `board_members`, one statement per event. */
const membersPerEvent = {
  async MemberAdded(tx, event) {
    await tx.query(
      `INSERT INTO board_members (board_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (board_id, user_id) DO UPDATE SET role = excluded.role, added_at = excluded.added_at`,
      [event.boardId, event.data.userId, event.data.role, event.occurredAt],
    );
  },
  async MemberRoleChanged(tx, event) {
    await tx.query('UPDATE board_members SET role = $3 WHERE board_id = $1 AND user_id = $2', [
      event.boardId,
      event.data.userId,
      event.data.role,
    ]);
  },
  async MemberRemoved(tx, event) {
    await tx.query('DELETE FROM board_members WHERE board_id = $1 AND user_id = $2', [
      event.boardId,
      event.data.userId,
    ]);
  },
} satisfies Projection;

type AnyHandler = (tx: SqlQueryable, event: Envelope) => Promise<void>;

const readModels: Projection = {
  ...boardsProjection,
  ...membersPerEvent,
  ...boardColumnsProjection,
  ...tasksPerEvent,
  ...commentsPerEvent,
};

/**
 * Each event's read-model statement, then its statistics, one event after the other; then the
 * history rows (a batch projection since ADR 0020, which the batch ran after these until it joined
 * `batchProjections`).
 */
export async function projectPerEvent(tx: SqlQueryable, events: readonly Envelope[]): Promise<void> {
  for (const event of events) {
    await (readModels[event.type] as AnyHandler)(tx, event);
    await (statisticsPerEvent[event.type as keyof typeof statisticsPerEvent] as AnyHandler | undefined)?.(tx, event);
  }
  const writer = batchWriter(tx);
  await historyProjection(writer, events);
  await writer.flush();
}
