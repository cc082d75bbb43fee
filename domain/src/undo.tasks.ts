import type { BoardEvent, RecordedBoardEvent } from './board.events.js';
import type { Task } from './board.state.js';
import { refuseOverWipLimit } from './tasks.changes.js';
import type { UndoStep } from './undo.shared.js';
import { besideFormerNeighbours, columnRenumbered, onlyRenumbered } from './undo.renumbered.js';
import {
  columnName,
  freePosition,
  liveTaskNow,
  refuseUnless,
  sameValue,
  taskName,
  unsafe,
  userName,
} from './undo.shared.js';

type TaskLevel = Extract<RecordedBoardEvent, { data: { taskId: string } }>;

const siblingKeys = (step: UndoStep<unknown>, columnId: string, exceptId: string) =>
  Object.values(step.current.tasks)
    .filter((task) => task.columnId === columnId && task.id !== exceptId)
    .map((task) => task.position);

/** Same content, `updatedAt` aside (every compensation moves it on itself). */
const sameContent = (a: Task, b: Task): boolean => sameValue({ ...a, updatedAt: '' }, { ...b, updatedAt: '' });

function undoTaskFields(step: UndoStep<TaskLevel>): BoardEvent[] | null {
  const { event } = step;
  const taskId = event.data.taskId;
  const before = step.prior.tasks[taskId];
  const name = taskName(step, taskId);
  const again = (what: string) => `The ${what} of ${name} was changed again since`;
  switch (event.type) {
    case 'TaskTitleChanged':
      refuseUnless(liveTaskNow(step, taskId).title === event.data.title, again('title'));
      return [{ type: 'TaskTitleChanged', data: { taskId, title: before?.title ?? '' } }];
    case 'TaskDescriptionChanged':
      refuseUnless(liveTaskNow(step, taskId).description === event.data.description, again('description'));
      return [{ type: 'TaskDescriptionChanged', data: { taskId, description: before?.description ?? '' } }];
    case 'TaskPriorityChanged':
      refuseUnless(liveTaskNow(step, taskId).priority === event.data.priority, again('priority'));
      return [{ type: 'TaskPriorityChanged', data: { taskId, priority: before?.priority ?? 'medium' } }];
    case 'TaskDueDateChanged':
      refuseUnless(liveTaskNow(step, taskId).dueDate === event.data.dueDate, again('due date'));
      return [{ type: 'TaskDueDateChanged', data: { taskId, dueDate: before?.dueDate ?? null } }];
    default:
      return null;
  }
}

function undoTaskLists(step: UndoStep<TaskLevel>): BoardEvent[] | null {
  const { event, current } = step;
  const taskId = event.data.taskId;
  const name = taskName(step, taskId);
  switch (event.type) {
    case 'TaskAssigned':
      refuseUnless(
        liveTaskNow(step, taskId).assigneeIds.includes(event.data.userId),
        `${userName(event.data.userId)} was unassigned from ${name} since`,
      );
      return [{ type: 'TaskUnassigned', data: event.data }];
    case 'TaskUnassigned':
      refuseUnless(
        !liveTaskNow(step, taskId).assigneeIds.includes(event.data.userId),
        `${userName(event.data.userId)} was assigned to ${name} again since`,
      );
      refuseUnless(
        current.members[event.data.userId] !== undefined,
        `${userName(event.data.userId)} is no longer a member`,
      );
      return [{ type: 'TaskAssigned', data: event.data }];
    case 'TaskLabelAdded':
      refuseUnless(
        liveTaskNow(step, taskId).labels.includes(event.data.label),
        `The label “${event.data.label}” was removed from ${name} since`,
      );
      return [{ type: 'TaskLabelRemoved', data: event.data }];
    case 'TaskLabelRemoved':
      refuseUnless(
        !liveTaskNow(step, taskId).labels.includes(event.data.label),
        `The label “${event.data.label}” was put back on ${name} since`,
      );
      return [{ type: 'TaskLabelAdded', data: event.data }];
    default:
      return null;
  }
}

function undoTaskMove(step: UndoStep<Extract<TaskLevel, { type: 'TaskMoved' }>>): BoardEvent[] {
  const { event, current } = step;
  const { taskId, fromColumnId, fromPosition, toColumnId, position } = event.data;
  const task = liveTaskNow(step, taskId);
  const keyKept = task.position === position || onlyRenumbered(step.later ?? [], taskId);
  refuseUnless(task.columnId === toColumnId && keyKept, `${taskName(step, taskId)} was moved again since`);
  const back = current.columns[fromColumnId];
  if (back === undefined)
    throw unsafe(`The column ${columnName(step.prior, fromColumnId)} it came from was removed since`);
  if (back.id !== task.columnId) refuseOverWipLimit(current, back);
  const to = columnRenumbered(step.later ?? [], back.id)
    ? besideFormerNeighbours(step.prior, current, taskId, back.id)
    : freePosition(fromPosition, siblingKeys(step, back.id, taskId));
  return [
    {
      type: 'TaskMoved',
      data: { taskId, fromColumnId: task.columnId, fromPosition: task.position, toColumnId: back.id, position: to },
    },
  ];
}

function undoTaskStatus(step: UndoStep<TaskLevel>): BoardEvent[] | null {
  const { event } = step;
  const taskId = event.data.taskId;
  const name = taskName(step, taskId);
  switch (event.type) {
    case 'TaskCompleted':
      refuseUnless(liveTaskNow(step, taskId).status === 'completed', `${name} was reopened since`);
      return [{ type: 'TaskReopened', data: { taskId } }];
    case 'TaskReopened': {
      refuseUnless(liveTaskNow(step, taskId).status === 'open', `${name} was completed again since`);
      const completedAt = step.prior.tasks[taskId]?.completedAt ?? null;
      return [{ type: 'TaskCompleted', data: completedAt === null ? { taskId } : { taskId, completedAt } }];
    }
    case 'TaskArchived':
      refuseUnless(step.current.tasks[taskId]?.archived === true, `${name} was restored or deleted since`);
      return [{ type: 'TaskRestored', data: { taskId } }];
    case 'TaskRestored':
      refuseUnless(step.current.tasks[taskId]?.archived === false, `${name} was archived or deleted since`);
      return [{ type: 'TaskArchived', data: { taskId } }];
    default:
      return null;
  }
}

/** Undoing a creation deletes; refused when the task changed afterwards, so no one's later work goes with it. */
function undoTaskLife(step: UndoStep<TaskLevel>, after: Task | undefined): BoardEvent[] | null {
  const { event, current } = step;
  const taskId = event.data.taskId;
  if (event.type === 'TaskCreated' || event.type === 'TaskReinstated') {
    const task = current.tasks[taskId];
    refuseUnless(task !== undefined, `${taskName(step, taskId)} was deleted since`);
    const renumbered = onlyRenumbered(step.later ?? [], taskId);
    refuseUnless(
      after !== undefined && sameContent(renumbered ? { ...task, position: after.position } : task, after),
      `${taskName(step, taskId)} has changed since; delete it instead`,
    );
    return [{ type: 'TaskDeleted', data: { taskId } }];
  }
  if (event.type !== 'TaskDeleted') return null;
  const task = step.prior.tasks[taskId];
  refuseUnless(task !== undefined && current.tasks[taskId] === undefined, `${taskName(step, taskId)} exists again`);
  const column = current.columns[task.columnId];
  if (column === undefined)
    throw unsafe(
      `The column ${columnName(step.prior, task.columnId)} of ${taskName(step, taskId)} was removed since; bring it back first`,
    );
  const gone = task.assigneeIds.find((userId) => current.members[userId] === undefined);
  refuseUnless(
    gone === undefined,
    `${userName(gone ?? '')}, assigned to ${taskName(step, taskId)}, is no longer a member`,
  );
  if (!task.archived) refuseOverWipLimit(current, column);
  const position = columnRenumbered(step.later ?? [], column.id)
    ? besideFormerNeighbours(step.prior, current, taskId, column.id)
    : freePosition(task.position, siblingKeys(step, column.id, taskId));
  return [{ type: 'TaskReinstated', data: { taskId, task: { ...task, position } } }];
}

function undoComment(step: UndoStep<TaskLevel>): BoardEvent[] | null {
  const { event } = step;
  if (
    event.type !== 'CommentAdded' &&
    event.type !== 'CommentEdited' &&
    event.type !== 'CommentDeleted' &&
    event.type !== 'CommentReinstated'
  )
    return null;
  const { taskId, commentId } = event.data;
  const now = liveTaskNow(step, taskId).comments[commentId];
  const before = step.prior.tasks[taskId]?.comments[commentId];
  const where = `on ${taskName(step, taskId)}`;
  if (event.type === 'CommentDeleted') {
    refuseUnless(now === undefined && before !== undefined, `The comment ${where} exists again`);
    return [{ type: 'CommentReinstated', data: { taskId, commentId, comment: before } }];
  }
  refuseUnless(now !== undefined, `The comment ${where} was deleted since`);
  const body = event.type === 'CommentReinstated' ? event.data.comment.body : event.data.body;
  refuseUnless(now.body === body, `The comment ${where} was edited again since`);
  if (event.type === 'CommentEdited')
    return [{ type: 'CommentEdited', data: { taskId, commentId, body: before?.body ?? '' } }];
  return [{ type: 'CommentDeleted', data: { taskId, commentId } }];
}

/** The compensation of one task or comment event; `after` is the task just after the event. */
export function undoTaskEvent(step: UndoStep<TaskLevel>, after: Task | undefined): BoardEvent[] {
  if (step.event.type === 'TaskMoved') return undoTaskMove(step as UndoStep<Extract<TaskLevel, { type: 'TaskMoved' }>>);
  return (
    undoTaskFields(step) ??
    undoTaskLists(step) ??
    undoTaskStatus(step) ??
    undoTaskLife(step, after) ??
    undoComment(step) ??
    []
  );
}
