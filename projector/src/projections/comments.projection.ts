import type { BatchTx } from './batchTx.js';
import type { Comment, Envelope } from '@primetrade/domain';
import { taskKey, type TaskScoped } from './projection.js';
import { idsOf, lastExistence } from './tasks.projection.js';

/**
 * `comments`, set-based (docs/adr/0019-set-based-projector.md), written after `tasks`. Deleting a
 * task removes its comments through the foreign key, and a comment only lands on a task that is
 * there, so of a task's comment events only those after its last create, undo or delete in the batch
 * count (none after a delete): the earlier ones met no task or were cascaded away. The rest fold per
 * comment into one delete, upsert or edit.
 */

/** A comment brought back by an undo, exactly as it was (author, times, body). */
export type ReinstatedComment = Comment & { readonly taskId: string; readonly boardId: string };

const upsertComments = `
  INSERT INTO comments (id, task_id, board_id, author_id, body, created_at, edited_at)
  SELECT x.id, x."taskId", x."boardId", x."authorId", x.body, x."createdAt", x."editedAt"
  FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, "taskId" uuid, "boardId" uuid, "authorId" uuid, body text,
       "createdAt" timestamptz, "editedAt" timestamptz)
  WHERE EXISTS (SELECT 1 FROM tasks WHERE id = x."taskId" AND board_id = x."boardId")
  ON CONFLICT (id) DO UPDATE
  SET author_id = excluded.author_id, body = excluded.body, created_at = excluded.created_at, edited_at = excluded.edited_at`;

/** Comments that land (an add, an undo) as they end the batch; on a task that is not there, none. */
export async function reinstateComments(tx: BatchTx, comments: readonly ReinstatedComment[]): Promise<void> {
  if (comments.length > 0) tx.write(upsertComments, [JSON.stringify(comments)]);
}

type CommentEvent = TaskScoped & { readonly data: { readonly commentId: string } };

interface CommentOutcome {
  /** The comment as an add or undo left it, edits folded in; null: no add or undo in the batch. */
  row: ReinstatedComment | null;
  deleted: boolean;
  /** An edit of a comment the batch did not add. */
  edit: { body: string; editedAt: string } | null;
}

function foldComment(outcome: CommentOutcome, event: CommentEvent): void {
  const e = event as Envelope;
  const { taskId, commentId } = event.data;
  const at = { taskId, boardId: event.boardId, id: commentId };
  if (e.type === 'CommentAdded') {
    const row = { ...at, authorId: e.actorId, body: e.data.body, createdAt: e.occurredAt, editedAt: null };
    Object.assign(outcome, { row, deleted: false, edit: null });
  } else if (e.type === 'CommentReinstated') {
    Object.assign(outcome, { row: { ...e.data.comment, ...at }, deleted: false, edit: null });
  } else if (e.type === 'CommentDeleted') {
    Object.assign(outcome, { row: null, deleted: true, edit: null });
  } else if (e.type === 'CommentEdited' && !outcome.deleted) {
    if (outcome.row) outcome.row = { ...outcome.row, body: e.data.body, editedAt: e.occurredAt };
    else outcome.edit = { body: e.data.body, editedAt: e.occurredAt };
  }
}

function commentOutcomes(events: readonly Envelope[]): Map<string, CommentOutcome> {
  const tasks = lastExistence(events);
  const byComment = new Map<string, CommentOutcome>();
  events.forEach((event, index) => {
    if (!event.type.startsWith('Comment')) return;
    const comment = event as CommentEvent;
    const task = tasks.get(taskKey(comment));
    if (task && (!task.exists || index < task.index)) return;
    const key = `${taskKey(comment)}/${comment.data.commentId}`;
    const outcome = byComment.get(key) ?? { row: null, deleted: false, edit: null };
    byComment.set(key, outcome);
    foldComment(outcome, comment);
  });
  return byComment;
}

export async function projectComments(tx: BatchTx, events: readonly Envelope[]): Promise<void> {
  const deleted: { id: string; task_id: string; board_id: string }[] = [];
  const landed: ReinstatedComment[] = [];
  const edited: { id: string; task_id: string; board_id: string; body: string; edited_at: string }[] = [];
  for (const [key, outcome] of commentOutcomes(events)) {
    const [board_id, task_id, id] = key.split('/') as [string, string, string];
    if (outcome.row) landed.push(outcome.row);
    else if (outcome.deleted) deleted.push({ id, task_id, board_id });
    else if (outcome.edit)
      edited.push({ id, task_id, board_id, body: outcome.edit.body, edited_at: outcome.edit.editedAt });
  }
  if (deleted.length > 0)
    tx.write(
      `DELETE FROM comments AS c USING jsonb_to_recordset($1::jsonb) AS x (id uuid, task_id uuid, board_id uuid)
       WHERE c.id = ANY ($2::uuid[]) AND c.id = x.id AND c.board_id = x.board_id AND c.task_id = x.task_id`,
      [JSON.stringify(deleted), idsOf(deleted)],
    );
  await reinstateComments(tx, landed);
  if (edited.length > 0)
    tx.write(
      `UPDATE comments AS c SET body = x.body, edited_at = x.edited_at
       FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, task_id uuid, board_id uuid, body text, edited_at timestamptz)
       WHERE c.id = ANY ($2::uuid[]) AND c.id = x.id AND c.board_id = x.board_id AND c.task_id = x.task_id`,
      [JSON.stringify(edited), idsOf(edited)],
    );
}
