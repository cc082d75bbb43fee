import type { Role } from './board.events.js';
import type { Task } from './board.state.js';

/** HTTP wire contracts shared by the server and the web client. Instants are ISO 8601 strings. */
export interface BoardDto {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly archived: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly revision: number;
}

/** A board in "my boards": the board plus my role on it. */
export interface BoardSummaryDto extends BoardDto {
  readonly role: Role;
}

export interface MemberDto {
  readonly userId: string;
  /** Display name from the account (empty when the account was erased). */
  readonly name: string;
  readonly role: Role;
  readonly addedAt: string;
}

export interface ColumnDto {
  readonly id: string;
  readonly name: string;
  readonly position: string;
  readonly isDone: boolean;
  readonly wipLimit: number | null;
}

/** A task on the wire: its state without the comments (read apart), plus its board. */
export interface TaskDto extends Omit<Task, 'comments'> {
  readonly boardId: string;
}

export interface CommentDto {
  readonly id: string;
  readonly taskId: string;
  readonly authorId: string;
  readonly body: string;
  readonly createdAt: string;
  readonly editedAt: string | null;
}

/**
 * One column's share of a paged board view (`GET /boards/:boardId?tasksPerColumn=`,
 * docs/adr/0023-big-boards-column-pages.md): its first tasks are in the view's `tasks`.
 */
export interface ColumnPageDto {
  readonly columnId: string;
  /** The column's non-archived tasks at the view's revision (all of them, not only the page). */
  readonly taskCount: number;
  /** Pass as `after` to `GET /boards/:boardId/columns/:columnId/tasks`; null when the page holds them all. */
  readonly nextCursor: string | null;
}

/** `GET /boards/:boardId`: everything needed to render the board at `revision`. */
export interface BoardViewDto {
  readonly board: BoardDto;
  /** Sorted by position. */
  readonly columns: readonly ColumnDto[];
  /**
   * Non-archived and archived tasks, sorted by column then position. In a paged view
   * (`columnPages` present) only each column's first non-archived tasks.
   */
  readonly tasks: readonly TaskDto[];
  readonly members: readonly MemberDto[];
  readonly revision: number;
  /** Only in a paged view: one entry per column, in column order. */
  readonly columnPages?: readonly ColumnPageDto[];
}

/** `GET /boards/:boardId/columns/:columnId/tasks`: the next non-archived tasks of a column by position. */
export interface ColumnTasksPageDto extends Page<TaskDto> {
  /** The read models' revision of the board this page was read at. */
  readonly revision: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface UserDto {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: 'admin' | 'user';
  readonly disabled: boolean;
  readonly createdAt: string;
}
