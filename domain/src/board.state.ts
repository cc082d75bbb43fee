import type { Priority, Role } from './board.events.js';

export interface Member {
  readonly userId: string;
  readonly role: Role;
  readonly addedAt: string;
}

export interface Column {
  readonly id: string;
  readonly name: string;
  /** Fractional position key; columns sort by it (byte order). */
  readonly position: string;
  readonly isDone: boolean;
  readonly wipLimit: number | null;
}

export interface Comment {
  readonly id: string;
  readonly authorId: string;
  readonly body: string;
  readonly createdAt: string;
  readonly editedAt: string | null;
}

export type TaskStatus = 'open' | 'completed';

export interface Task {
  readonly id: string;
  readonly columnId: string;
  /** Fractional position key inside its column (byte order). */
  readonly position: string;
  readonly title: string;
  readonly description: string;
  readonly priority: Priority;
  readonly dueDate: string | null;
  readonly assigneeIds: readonly string[];
  readonly labels: readonly string[];
  readonly status: TaskStatus;
  readonly archived: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly completedAt: string | null;
  readonly comments: Readonly<Record<string, Comment>>;
}

export interface BoardData {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Revision of the last event folded in (0-based stream revision). */
  readonly revision: number;
  readonly members: Readonly<Record<string, Member>>;
  readonly columns: Readonly<Record<string, Column>>;
  /** Deleted tasks are gone from here; archived ones stay with `archived: true`. */
  readonly tasks: Readonly<Record<string, Task>>;
}

export type BoardState =
  | { readonly status: 'initial' }
  | ({ readonly status: 'active' } & BoardData)
  | ({ readonly status: 'archived' } & BoardData);

export const initialBoardState: BoardState = { status: 'initial' };
