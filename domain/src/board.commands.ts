import type { Priority, RecordedBoardEvent, Role } from './board.events.js';
import type { BoardState } from './board.state.js';

/**
 * Time and ids arrive from outside (docs/architecture.md: the domain has no clock or random source).
 * `now` is an ISO 8601 instant; `actorId` the authenticated user's id.
 */
export interface CommandMetadata {
  readonly now: string;
  readonly actorId: string;
}

type Cmd<T extends string, D> = { readonly type: T; readonly data: D; readonly metadata: CommandMetadata };

/** Where to put a card or a column: before or after a sibling; neither means "at the end". */
export interface Placement {
  readonly beforeId?: string | undefined;
  readonly afterId?: string | undefined;
}

export interface NewColumn {
  readonly columnId: string;
  readonly name: string;
  readonly isDone?: boolean | undefined;
  readonly wipLimit?: number | null | undefined;
}

export type CreateBoard = Cmd<
  'CreateBoard',
  { boardId: string; name: string; description?: string | undefined; columns: readonly NewColumn[] }
>;
export type RenameBoard = Cmd<'RenameBoard', { name: string }>;
export type ChangeBoardDescription = Cmd<'ChangeBoardDescription', { description: string }>;
export type ArchiveBoard = Cmd<'ArchiveBoard', Record<string, never>>;
export type RestoreBoard = Cmd<'RestoreBoard', Record<string, never>>;

export type AddMember = Cmd<'AddMember', { userId: string; role: Role }>;
export type ChangeMemberRole = Cmd<'ChangeMemberRole', { userId: string; role: Role }>;
export type RemoveMember = Cmd<'RemoveMember', { userId: string }>;
/**
 * Erasure of an account takes the person off the board: the events of RemoveMember, sent by the
 * administrator doing the erasure, who need not be a member. Accounts and system roles are not board
 * state, so the domain trusts the sender here: only the admin erasure route sends it.
 */
export type RemoveErasedMember = Cmd<'RemoveErasedMember', { userId: string }>;
/**
 * Erasure of the board's only owner: the successor the administrator named (`userId`) becomes an
 * owner first, so the board keeps one once `erasedUserId` is taken off with RemoveErasedMember.
 * Sent by the administrator, trusted like RemoveErasedMember (accounts are not board state: the
 * admin erasure route checks the successor's account is active).
 */
export type AppointOwnerForErasure = Cmd<'AppointOwnerForErasure', { userId: string; erasedUserId: string }>;

export type AddColumn = Cmd<'AddColumn', NewColumn & Placement>;
export type RenameColumn = Cmd<'RenameColumn', { columnId: string; name: string }>;
export type MoveColumn = Cmd<'MoveColumn', { columnId: string } & Placement>;
export type SetColumnWipLimit = Cmd<'SetColumnWipLimit', { columnId: string; wipLimit: number | null }>;
export type RemoveColumn = Cmd<'RemoveColumn', { columnId: string }>;

export type CreateTask = Cmd<
  'CreateTask',
  {
    taskId: string;
    title: string;
    description?: string | undefined;
    /** Defaults to the board's first column. */
    columnId?: string | undefined;
    priority?: Priority | undefined;
    dueDate?: string | null | undefined;
    assigneeIds?: readonly string[] | undefined;
    labels?: readonly string[] | undefined;
  } & Placement
>;
/** A PATCH: only the fields present are changed, each into its own event; no change, no event. */
export type UpdateTask = Cmd<
  'UpdateTask',
  {
    taskId: string;
    title?: string | undefined;
    description?: string | undefined;
    priority?: Priority | undefined;
    dueDate?: string | null | undefined;
    assigneeIds?: readonly string[] | undefined;
    labels?: readonly string[] | undefined;
  }
>;
export type MoveTask = Cmd<'MoveTask', { taskId: string; columnId: string } & Placement>;
export type CompleteTask = Cmd<'CompleteTask', { taskId: string }>;
export type ReopenTask = Cmd<'ReopenTask', { taskId: string }>;
export type ArchiveTask = Cmd<'ArchiveTask', { taskId: string }>;
export type RestoreTask = Cmd<'RestoreTask', { taskId: string }>;
export type DeleteTask = Cmd<'DeleteTask', { taskId: string }>;

export type AddComment = Cmd<'AddComment', { taskId: string; commentId: string; body: string }>;
export type EditComment = Cmd<'EditComment', { taskId: string; commentId: string; body: string }>;
export type DeleteComment = Cmd<'DeleteComment', { taskId: string; commentId: string }>;

/**
 * Undo one change: the events one request appended (`change`, from the stream) and the board just
 * before them (`before`). Both are history, so they never go stale; the decision is made on the
 * current state like any other (see undo.decisions.ts). `laterMoves`: the TaskMoved and
 * ColumnPositionsRebalanced events appended after the change (a renumbered key is not a move).
 */
export type UndoChange = Cmd<
  'UndoChange',
  {
    revision: number;
    change: readonly RecordedBoardEvent[];
    before: BoardState;
    laterMoves?: readonly RecordedBoardEvent[];
  }
>;

export type BoardCommand =
  | CreateBoard
  | RenameBoard
  | ChangeBoardDescription
  | ArchiveBoard
  | RestoreBoard
  | AddMember
  | ChangeMemberRole
  | RemoveMember
  | RemoveErasedMember
  | AppointOwnerForErasure
  | AddColumn
  | RenameColumn
  | MoveColumn
  | SetColumnWipLimit
  | RemoveColumn
  | CreateTask
  | UpdateTask
  | MoveTask
  | CompleteTask
  | ReopenTask
  | ArchiveTask
  | RestoreTask
  | DeleteTask
  | AddComment
  | EditComment
  | DeleteComment
  | UndoChange;

export type BoardCommandType = BoardCommand['type'];
