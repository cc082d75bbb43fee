import {
  DomainError,
  boardDtoFromState,
  boardViewFromState,
  taskDtoFromState,
  type BoardDto,
  type BoardState,
  type BoardViewDto,
  type ColumnDto,
  type CommentDto,
  type MemberDto,
  type TaskDto,
} from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { userNames } from './users.queries.js';

/**
 * DTOs built from the state the handler returns, so a write answers with exactly what it
 * wrote (the read model may not have projected it yet). A missing piece after a successful
 * command would be a bug, hence the plain `Error`.
 */
const existing = <T>(value: T | null | undefined, what: string): T => {
  if (value === null || value === undefined)
    throw new Error(`${what} missing from the state after a successful command`);
  return value;
};

export const boardDtoOf = (state: BoardState): BoardDto => existing(boardDtoFromState(state), 'board');

export async function boardViewOf(sql: SqlQueryable, state: BoardState): Promise<BoardViewDto> {
  const members = state.status === 'initial' ? [] : Object.keys(state.members);
  const names = await userNames(sql, members);
  return existing(
    boardViewFromState(state, (userId) => names.get(userId) ?? ''),
    'board',
  );
}

export const taskDtoOf = (state: BoardState, taskId: string): TaskDto =>
  existing(taskDtoFromState(state, taskId), 'task');

export function columnDtoOf(state: BoardState, columnId: string): ColumnDto {
  const column = existing(state.status === 'initial' ? null : state.columns[columnId], 'column');
  const { id, name, position, isDone, wipLimit } = column;
  return { id, name, position, isDone, wipLimit };
}

export async function memberDtoOf(sql: SqlQueryable, state: BoardState, userId: string): Promise<MemberDto> {
  const member = existing(state.status === 'initial' ? null : state.members[userId], 'member');
  const names = await userNames(sql, [userId]);
  return { ...member, name: names.get(userId) ?? '' };
}

export function commentDtoOf(state: BoardState, taskId: string, commentId: string): CommentDto {
  const task = existing(state.status === 'initial' ? null : state.tasks[taskId], 'task');
  const comment = existing(task.comments[commentId], 'comment');
  return { ...comment, taskId };
}

/** Whether `userId` is a member according to the authoritative (store-folded) state. */
export const isMemberIn = (state: BoardState, userId: string): boolean =>
  state.status !== 'initial' && state.members[userId] !== undefined;

export const boardNotFound = (): DomainError => new DomainError('BOARD.NOT_FOUND', 'Board not found');
