import type { BoardState, Column, Comment, Task } from './board.state.js';
import type { Role } from './board.events.js';
import type { CommandMetadata } from './board.commands.js';
import { DomainError } from './errors.js';

export type ExistingBoard = Exclude<BoardState, { status: 'initial' }>;
export type ActiveBoard = Extract<BoardState, { status: 'active' }>;

const rank: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

/** The board, as seen by `actorId`: a board you are not a member of does not exist for you. */
export function requireBoard(state: BoardState, actorId: string): ExistingBoard {
  if (state.status === 'initial' || state.members[actorId] === undefined) {
    throw new DomainError('BOARD.NOT_FOUND', 'Board not found');
  }
  return state;
}

export function requireRole(board: ExistingBoard, actorId: string, role: Exclude<Role, 'viewer'>): void {
  const member = board.members[actorId];
  if (member === undefined || rank[member.role] < rank[role]) {
    throw new DomainError('AUTH.FORBIDDEN', `This needs the ${role} role on the board`);
  }
}

export function requireActive(board: ExistingBoard): ActiveBoard {
  if (board.status === 'archived') throw new DomainError('BOARD.ARCHIVED', 'The board is archived');
  return board;
}

/** The usual entry of a decision: the board exists for the actor, they may write, it is not archived. */
export function requireWritableBoard(
  state: BoardState,
  metadata: CommandMetadata,
  role: Exclude<Role, 'viewer'> = 'editor',
): ActiveBoard {
  const board = requireBoard(state, metadata.actorId);
  requireRole(board, metadata.actorId, role);
  return requireActive(board);
}

export function requireColumn(board: ExistingBoard, columnId: string): Column {
  const column = board.columns[columnId];
  if (column === undefined) throw new DomainError('COLUMN.NOT_FOUND', `Column ${columnId} not found`);
  return column;
}

export function requireTask(board: ExistingBoard, taskId: string): Task {
  const task = board.tasks[taskId];
  if (task === undefined) throw new DomainError('TASK.NOT_FOUND', `Task ${taskId} not found`);
  return task;
}

/** A task that is not archived: the one most task commands need. */
export function requireLiveTask(board: ExistingBoard, taskId: string): Task {
  const task = requireTask(board, taskId);
  if (task.archived) throw new DomainError('TASK.ARCHIVED', 'The task is archived');
  return task;
}

export function requireComment(task: Task, commentId: string): Comment {
  const comment = task.comments[commentId];
  if (comment === undefined) throw new DomainError('COMMENT.NOT_FOUND', `Comment ${commentId} not found`);
  return comment;
}

export const countOwners = (board: ExistingBoard): number =>
  Object.values(board.members).filter((member) => member.role === 'owner').length;
