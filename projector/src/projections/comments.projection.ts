import type { Projection } from './projection.js';

/** `comments`. Deleting a task removes its comments through the foreign key. */
export const commentsProjection = {
  async CommentAdded(tx, event) {
    await tx.query(
      `INSERT INTO comments (id, task_id, board_id, author_id, body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [event.data.commentId, event.data.taskId, event.boardId, event.actorId, event.data.body, event.occurredAt],
    );
  },
  async CommentEdited(tx, event) {
    await tx.query('UPDATE comments SET body = $3, edited_at = $4 WHERE id = $1 AND board_id = $2', [
      event.data.commentId,
      event.boardId,
      event.data.body,
      event.occurredAt,
    ]);
  },
  async CommentDeleted(tx, event) {
    await tx.query('DELETE FROM comments WHERE id = $1 AND board_id = $2', [event.data.commentId, event.boardId]);
  },
} satisfies Projection;
