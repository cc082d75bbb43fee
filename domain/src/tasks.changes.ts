import type { UpdateTask } from './board.commands.js';
import type { BoardEvent } from './board.events.js';
import type { Column, Task } from './board.state.js';
import type { ExistingBoard } from './board.guards.js';
import { columnsInOrder, tasksInColumn } from './board.placement.js';
import {
  limits,
  requireDueDate,
  requireIdList,
  requireLabels,
  requireOptionalText,
  requirePriority,
  requireText,
} from './board.validation.js';
import { DomainError } from './errors.js';

/** The board's first column (lowest position): where a task goes when no column is named. */
export function firstColumn(board: ExistingBoard): Column {
  const first = columnsInOrder(board)[0];
  if (first === undefined) throw new DomainError('COLUMN.NOT_FOUND', 'The board has no column');
  return first;
}

/** WIP limits count the column's non-archived tasks and apply to tasks arriving from elsewhere. */
export function refuseOverWipLimit(board: ExistingBoard, column: Column): void {
  if (column.wipLimit === null) return;
  const count = tasksInColumn(board, column.id).filter((entry) => board.tasks[entry.id]?.archived === false).length;
  if (count >= column.wipLimit) {
    throw new DomainError(
      'COLUMN.WIP_LIMIT_REACHED',
      `Column ${column.name} is at its WIP limit of ${column.wipLimit}`,
    );
  }
}

export function requireAssignees(board: ExistingBoard, value: readonly unknown[]): string[] {
  const assigneeIds = requireIdList('assigneeIds', value, limits.assignees);
  const stranger = assigneeIds.find((userId) => board.members[userId] === undefined);
  if (stranger !== undefined) {
    throw new DomainError('TASK.ASSIGNEE_NOT_MEMBER', `User ${stranger} is not a member of the board`, [
      { field: 'assigneeIds', message: `${stranger} is not a member` },
    ]);
  }
  return assigneeIds;
}

type Patch = UpdateTask['data'];

/** One event per changed scalar field, in a fixed order. */
function scalarChanges(task: Task, patch: Patch): BoardEvent[] {
  const taskId = task.id;
  const events: BoardEvent[] = [];
  if (patch.title !== undefined) {
    const title = requireText('title', patch.title, limits.title);
    if (title !== task.title) events.push({ type: 'TaskTitleChanged', data: { taskId, title } });
  }
  if (patch.description !== undefined) {
    const description = requireOptionalText('description', patch.description, limits.description);
    if (description !== task.description)
      events.push({ type: 'TaskDescriptionChanged', data: { taskId, description } });
  }
  if (patch.priority !== undefined) {
    const priority = requirePriority('priority', patch.priority);
    if (priority !== task.priority) events.push({ type: 'TaskPriorityChanged', data: { taskId, priority } });
  }
  if (patch.dueDate !== undefined) {
    const dueDate = requireDueDate('dueDate', patch.dueDate);
    if (dueDate !== task.dueDate) events.push({ type: 'TaskDueDateChanged', data: { taskId, dueDate } });
  }
  return events;
}

const added = (from: readonly string[], to: readonly string[]) => to.filter((value) => !from.includes(value));

function listChanges(board: ExistingBoard, task: Task, patch: Patch): BoardEvent[] {
  const taskId = task.id;
  const events: BoardEvent[] = [];
  if (patch.assigneeIds !== undefined) {
    const assigneeIds = requireAssignees(board, patch.assigneeIds);
    for (const userId of added(task.assigneeIds, assigneeIds))
      events.push({ type: 'TaskAssigned', data: { taskId, userId } });
    for (const userId of added(assigneeIds, task.assigneeIds))
      events.push({ type: 'TaskUnassigned', data: { taskId, userId } });
  }
  if (patch.labels !== undefined) {
    const labels = requireLabels('labels', patch.labels);
    for (const label of added(task.labels, labels)) events.push({ type: 'TaskLabelAdded', data: { taskId, label } });
    for (const label of added(labels, task.labels)) events.push({ type: 'TaskLabelRemoved', data: { taskId, label } });
  }
  return events;
}

/** The events a PATCH of `task` amounts to; validates every field present first, then diffs. */
export function taskChanges(board: ExistingBoard, task: Task, patch: Patch): BoardEvent[] {
  return [...scalarChanges(task, patch), ...listChanges(board, task, patch)];
}
