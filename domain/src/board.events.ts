import type { Comment, Task } from './board.state.js';

/**
 * The events of one board stream (`board-<boardId>`), docs/architecture.md.
 * `data` holds only what happened; who and when travel in the envelope.
 */
export type Role = 'owner' | 'editor' | 'viewer';
export const roles = ['owner', 'editor', 'viewer'] as const satisfies readonly Role[];
export type Priority = 'low' | 'medium' | 'high' | 'urgent';
export const priorities = ['low', 'medium', 'high', 'urgent'] as const satisfies readonly Priority[];

type Ev<T extends string, D> = { readonly type: T; readonly data: D };

export type BoardCreated = Ev<'BoardCreated', { boardId: string; name: string; description: string }>;
export type BoardRenamed = Ev<'BoardRenamed', { name: string }>;
export type BoardDescriptionChanged = Ev<'BoardDescriptionChanged', { description: string }>;
export type BoardArchived = Ev<'BoardArchived', Record<string, never>>;
export type BoardRestored = Ev<'BoardRestored', Record<string, never>>;
/**
 * `succeeds`: only on the owner appointed when the board's only owner is erased (AppointOwnerForErasure),
 * the erased person's id, so the history says why an administrator changed the owners.
 */
export type MemberAdded = Ev<'MemberAdded', { userId: string; role: Role; succeeds?: string }>;
export type MemberRoleChanged = Ev<'MemberRoleChanged', { userId: string; from: Role; role: Role; succeeds?: string }>;
export type MemberRemoved = Ev<'MemberRemoved', { userId: string }>;
export type ColumnAdded = Ev<
  'ColumnAdded',
  { columnId: string; name: string; position: string; isDone: boolean; wipLimit: number | null }
>;
export type ColumnRenamed = Ev<'ColumnRenamed', { columnId: string; name: string }>;
export type ColumnMoved = Ev<'ColumnMoved', { columnId: string; from: string; position: string }>;
export type ColumnWipLimitSet = Ev<'ColumnWipLimitSet', { columnId: string; wipLimit: number | null }>;
export type ColumnRemoved = Ev<'ColumnRemoved', { columnId: string }>;
/**
 * Tasks of a column (a contiguous stretch of it, archived ones included) given new, short, evenly
 * spaced position keys in the order they already had: appended with the move or creation whose key
 * would have grown past `maxPositionKeyLength` (board.rebalance.ts). Order is unchanged, so it
 * compensates nothing on undo.
 */
export type ColumnPositionsRebalanced = Ev<
  'ColumnPositionsRebalanced',
  { columnId: string; positions: { taskId: string; position: string }[] }
>;

export type TaskCreated = Ev<
  'TaskCreated',
  {
    taskId: string;
    columnId: string;
    position: string;
    title: string;
    description: string;
    priority: Priority;
    /** ISO 8601 instant or null. */
    dueDate: string | null;
    assigneeIds: string[];
    labels: string[];
  }
>;
export type TaskTitleChanged = Ev<'TaskTitleChanged', { taskId: string; title: string }>;
export type TaskDescriptionChanged = Ev<'TaskDescriptionChanged', { taskId: string; description: string }>;
export type TaskMoved = Ev<
  'TaskMoved',
  { taskId: string; fromColumnId: string; fromPosition: string; toColumnId: string; position: string }
>;
export type TaskAssigned = Ev<'TaskAssigned', { taskId: string; userId: string }>;
export type TaskUnassigned = Ev<'TaskUnassigned', { taskId: string; userId: string }>;
export type TaskLabelAdded = Ev<'TaskLabelAdded', { taskId: string; label: string }>;
export type TaskLabelRemoved = Ev<'TaskLabelRemoved', { taskId: string; label: string }>;
export type TaskPriorityChanged = Ev<'TaskPriorityChanged', { taskId: string; priority: Priority }>;
export type TaskDueDateChanged = Ev<'TaskDueDateChanged', { taskId: string; dueDate: string | null }>;
/** `completedAt` is set only when an undo brings back an earlier completion; otherwise it is `occurredAt`. */
export type TaskCompleted = Ev<'TaskCompleted', { taskId: string; completedAt?: string }>;
export type TaskReopened = Ev<'TaskReopened', { taskId: string }>;
export type TaskArchived = Ev<'TaskArchived', { taskId: string }>;
export type TaskRestored = Ev<'TaskRestored', { taskId: string }>;
export type TaskDeleted = Ev<'TaskDeleted', { taskId: string }>;
/** Undo of a delete: the task exactly as it was, comments included (see undo.decisions.ts). */
export type TaskReinstated = Ev<'TaskReinstated', { taskId: string; task: Task }>;
export type CommentAdded = Ev<'CommentAdded', { taskId: string; commentId: string; body: string }>;
export type CommentEdited = Ev<'CommentEdited', { taskId: string; commentId: string; body: string }>;
export type CommentDeleted = Ev<'CommentDeleted', { taskId: string; commentId: string }>;
/** Undo of a comment's deletion: the comment exactly as it was. */
export type CommentReinstated = Ev<'CommentReinstated', { taskId: string; commentId: string; comment: Comment }>;

export type BoardEvent =
  | BoardCreated
  | BoardRenamed
  | BoardDescriptionChanged
  | BoardArchived
  | BoardRestored
  | MemberAdded
  | MemberRoleChanged
  | MemberRemoved
  | ColumnAdded
  | ColumnRenamed
  | ColumnMoved
  | ColumnWipLimitSet
  | ColumnRemoved
  | ColumnPositionsRebalanced
  | TaskCreated
  | TaskTitleChanged
  | TaskDescriptionChanged
  | TaskMoved
  | TaskAssigned
  | TaskUnassigned
  | TaskLabelAdded
  | TaskLabelRemoved
  | TaskPriorityChanged
  | TaskDueDateChanged
  | TaskCompleted
  | TaskReopened
  | TaskArchived
  | TaskRestored
  | TaskDeleted
  | TaskReinstated
  | CommentAdded
  | CommentEdited
  | CommentDeleted
  | CommentReinstated;

export type BoardEventType = BoardEvent['type'];

export const boardEventTypes = [
  'BoardCreated',
  'BoardRenamed',
  'BoardDescriptionChanged',
  'BoardArchived',
  'BoardRestored',
  'MemberAdded',
  'MemberRoleChanged',
  'MemberRemoved',
  'ColumnAdded',
  'ColumnRenamed',
  'ColumnMoved',
  'ColumnWipLimitSet',
  'ColumnRemoved',
  'ColumnPositionsRebalanced',
  'TaskCreated',
  'TaskTitleChanged',
  'TaskDescriptionChanged',
  'TaskMoved',
  'TaskAssigned',
  'TaskUnassigned',
  'TaskLabelAdded',
  'TaskLabelRemoved',
  'TaskPriorityChanged',
  'TaskDueDateChanged',
  'TaskCompleted',
  'TaskReopened',
  'TaskArchived',
  'TaskRestored',
  'TaskDeleted',
  'TaskReinstated',
  'CommentAdded',
  'CommentEdited',
  'CommentDeleted',
  'CommentReinstated',
] as const satisfies readonly BoardEventType[];

/** A board event as recorded: what `evolve` folds (the envelope carries the rest). */
export type RecordedBoardEvent = BoardEvent & {
  readonly revision: number;
  /** ISO 8601 instant of the command that produced it. */
  readonly occurredAt: string;
  readonly actorId: string;
};
