import type {
  ArchiveTask,
  CompleteTask,
  CreateTask,
  DeleteTask,
  MoveTask,
  ReopenTask,
  RestoreTask,
  UpdateTask,
} from './board.commands.js';
import type { BoardEvent, TaskCreated } from './board.events.js';
import type { BoardState, Column, Task } from './board.state.js';
import type { ExistingBoard } from './board.guards.js';
import { requireColumn, requireLiveTask, requireTask, requireWritableBoard } from './board.guards.js';
import { isInSlot, keyIn, taskSlot } from './board.placement.js';
import { rebalancedFirst } from './board.rebalance.js';
import { firstColumn, refuseOverWipLimit, requireAssignees, taskChanges } from './tasks.changes.js';
import {
  limits,
  requireDueDate,
  requireLabels,
  requireOptionalText,
  requirePriority,
  requireText,
} from './board.validation.js';
import { DomainError } from './errors.js';

type NewTaskFields = Pick<
  TaskCreated['data'],
  'title' | 'description' | 'priority' | 'dueDate' | 'assigneeIds' | 'labels'
>;

function newTaskFields(board: ExistingBoard, data: CreateTask['data']): NewTaskFields {
  return {
    title: requireText('title', data.title, limits.title),
    description: requireOptionalText('description', data.description ?? '', limits.description),
    priority: requirePriority('priority', data.priority ?? 'medium'),
    dueDate: requireDueDate('dueDate', data.dueDate ?? null),
    assigneeIds: requireAssignees(board, data.assigneeIds ?? []),
    labels: requireLabels('labels', data.labels ?? []),
  };
}

export function createTask(command: CreateTask, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const taskId = requireText('taskId', command.data.taskId, 200);
  if (board.tasks[taskId] !== undefined) throw new DomainError('TASK.ALREADY_EXISTS', `Task ${taskId} already exists`);
  const fields = newTaskFields(board, command.data);
  const column = command.data.columnId === undefined ? firstColumn(board) : requireColumn(board, command.data.columnId);
  const slot = taskSlot(board, column.id, command.data);
  refuseOverWipLimit(board, column);
  const position = keyIn(slot);
  const rebalanced = rebalancedFirst(board, column.id, position, command.metadata, (next) => createTask(command, next));
  if (rebalanced) return rebalanced;
  const created: TaskCreated = { type: 'TaskCreated', data: { taskId, columnId: column.id, position, ...fields } };
  return column.isDone ? [created, { type: 'TaskCompleted', data: { taskId } }] : [created];
}

export function updateTask(command: UpdateTask, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const task = requireLiveTask(board, command.data.taskId);
  return taskChanges(board, task, command.data);
}

/** Done columns complete what enters them and reopen what leaves them for an open column. */
function statusAfterMove(board: ExistingBoard, task: Task, target: Column): BoardEvent[] {
  const taskId = task.id;
  if (target.isDone) return task.status === 'completed' ? [] : [{ type: 'TaskCompleted', data: { taskId } }];
  const leavingDone = board.columns[task.columnId]?.isDone === true;
  return leavingDone && task.status === 'completed' ? [{ type: 'TaskReopened', data: { taskId } }] : [];
}

export function moveTask(command: MoveTask, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const task = requireLiveTask(board, command.data.taskId);
  const target = requireColumn(board, command.data.columnId);
  const slot = taskSlot(board, target.id, command.data, task.id);
  const sameColumn = target.id === task.columnId;
  if (sameColumn && isInSlot(task.position, slot)) return [];
  if (!sameColumn) refuseOverWipLimit(board, target);
  const position = keyIn(slot);
  const rebalanced = rebalancedFirst(board, target.id, position, command.metadata, (next) => moveTask(command, next));
  if (rebalanced) return rebalanced;
  const { id: taskId, columnId: fromColumnId, position: fromPosition } = task;
  return [
    { type: 'TaskMoved', data: { taskId, fromColumnId, fromPosition, toColumnId: target.id, position } },
    ...statusAfterMove(board, task, target),
  ];
}

export function completeTask(command: CompleteTask, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const task = requireLiveTask(board, command.data.taskId);
  if (task.status === 'completed') throw new DomainError('TASK.ALREADY_COMPLETED', 'The task is already completed');
  return [{ type: 'TaskCompleted', data: { taskId: task.id } }];
}

export function reopenTask(command: ReopenTask, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const task = requireLiveTask(board, command.data.taskId);
  if (task.status !== 'completed') throw new DomainError('TASK.NOT_COMPLETED', 'The task is not completed');
  return [{ type: 'TaskReopened', data: { taskId: task.id } }];
}

export function archiveTask(command: ArchiveTask, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const task = requireLiveTask(board, command.data.taskId);
  return [{ type: 'TaskArchived', data: { taskId: task.id } }];
}

export function restoreTask(command: RestoreTask, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const task = requireTask(board, command.data.taskId);
  if (!task.archived) throw new DomainError('TASK.NOT_ARCHIVED', 'The task is not archived');
  return [{ type: 'TaskRestored', data: { taskId: task.id } }];
}

export function deleteTask(command: DeleteTask, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const task = requireTask(board, command.data.taskId);
  return [{ type: 'TaskDeleted', data: { taskId: task.id } }];
}
