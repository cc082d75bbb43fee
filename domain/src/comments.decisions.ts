import type { AddComment, DeleteComment, EditComment } from './board.commands.js';
import type { BoardEvent } from './board.events.js';
import type { BoardState } from './board.state.js';
import { requireComment, requireLiveTask, requireWritableBoard } from './board.guards.js';
import { limits, requireText } from './board.validation.js';
import { DomainError } from './errors.js';

export function addComment(command: AddComment, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const task = requireLiveTask(board, command.data.taskId);
  const commentId = requireText('commentId', command.data.commentId, 200);
  if (task.comments[commentId] !== undefined)
    throw new DomainError('COMMENT.ALREADY_EXISTS', 'The comment already exists');
  const body = requireText('body', command.data.body, limits.comment);
  return [{ type: 'CommentAdded', data: { taskId: task.id, commentId, body } }];
}

export function editComment(command: EditComment, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const task = requireLiveTask(board, command.data.taskId);
  const comment = requireComment(task, command.data.commentId);
  if (comment.authorId !== command.metadata.actorId)
    throw new DomainError('COMMENT.NOT_AUTHOR', 'Only the author edits a comment');
  const body = requireText('body', command.data.body, limits.comment);
  return body === comment.body
    ? []
    : [{ type: 'CommentEdited', data: { taskId: task.id, commentId: comment.id, body } }];
}

/** The author removes their comment; a board owner may remove any (moderation). */
export function deleteComment(command: DeleteComment, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const task = requireLiveTask(board, command.data.taskId);
  const comment = requireComment(task, command.data.commentId);
  const isOwner = board.members[command.metadata.actorId]?.role === 'owner';
  if (comment.authorId !== command.metadata.actorId && !isOwner) {
    throw new DomainError('COMMENT.NOT_AUTHOR', 'Only the author or a board owner deletes a comment');
  }
  return [{ type: 'CommentDeleted', data: { taskId: task.id, commentId: comment.id } }];
}
