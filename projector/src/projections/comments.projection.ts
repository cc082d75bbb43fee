import type { Comment } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import type { Projection } from './projection.js';

/** Comments brought back by an undo, exactly as they were (author, times, body). */
export async function reinstateComments(
  tx: SqlQueryable,
  boardId: string,
  taskId: string,
  comments: readonly Comment[],
) {
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
export const commentsProjection = {
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
