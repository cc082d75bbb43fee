import type { RecordedBoardEvent } from './board.events.js';
import type { Task } from './board.state.js';

type TaskChange = (task: Task, event: RecordedBoardEvent) => Partial<Task> | null;

const without = (values: readonly string[], value: string) => values.filter((item) => item !== value);
const including = (values: readonly string[], value: string) => (values.includes(value) ? values : [...values, value]);

/** How each event on an existing task changes it; comment events keep the task's `updatedAt`. */
function change(task: Task, event: RecordedBoardEvent): Partial<Task> | null {
  switch (event.type) {
    case 'TaskTitleChanged':
      return { title: event.data.title };
    case 'TaskDescriptionChanged':
      return { description: event.data.description };
    case 'TaskMoved':
      return { columnId: event.data.toColumnId, position: event.data.position };
    case 'TaskAssigned':
      return { assigneeIds: including(task.assigneeIds, event.data.userId) };
    case 'TaskUnassigned':
      return { assigneeIds: without(task.assigneeIds, event.data.userId) };
    case 'TaskLabelAdded':
      return { labels: including(task.labels, event.data.label) };
    case 'TaskLabelRemoved':
      return { labels: without(task.labels, event.data.label) };
    case 'TaskPriorityChanged':
      return { priority: event.data.priority };
    case 'TaskDueDateChanged':
      return { dueDate: event.data.dueDate };
    case 'TaskCompleted':
      return { status: 'completed', completedAt: event.data.completedAt ?? event.occurredAt };
    case 'TaskReopened':
      return { status: 'open', completedAt: null };
    case 'TaskArchived':
      return { archived: true };
    case 'TaskRestored':
      return { archived: false };
    default:
      return null;
  }
}

function commentChange(task: Task, event: RecordedBoardEvent): Partial<Task> | null {
  const comments = { ...task.comments };
  if (event.type === 'CommentAdded') {
    const { commentId: id, body } = event.data;
    comments[id] = { id, authorId: event.actorId, body, createdAt: event.occurredAt, editedAt: null };
  } else if (event.type === 'CommentEdited') {
    const comment = comments[event.data.commentId];
    if (comment === undefined) return null;
    comments[comment.id] = { ...comment, body: event.data.body, editedAt: event.occurredAt };
  } else if (event.type === 'CommentDeleted') {
    delete comments[event.data.commentId];
  } else if (event.type === 'CommentReinstated') {
    comments[event.data.commentId] = { ...event.data.comment, id: event.data.commentId };
  } else {
    return null;
  }
  return { comments };
}

/**
 * The created task: the event's fields in the event's key order (less `taskId`, `assigneeIds` and
 * `labels`), then the task's own, in that order. Built key by key rather than by an object rest
 * pattern and spread, which V8 runs through a slow generic path: that was the largest single cost of
 * folding a board (the projector's history and snapshots, ADR 0020).
 */
function newTask(event: RecordedBoardEvent & { type: 'TaskCreated' }): Task {
  const data = event.data as Record<string, unknown> & typeof event.data;
  const task: Record<string, unknown> = {};
  for (const key of Object.keys(data))
    if (key !== 'taskId' && key !== 'assigneeIds' && key !== 'labels') task[key] = data[key];
  task.id = data.taskId;
  task.assigneeIds = [...data.assigneeIds];
  task.labels = [...data.labels];
  task.status = 'open';
  task.archived = false;
  task.createdBy = event.actorId;
  task.createdAt = event.occurredAt;
  task.updatedAt = event.occurredAt;
  task.completedAt = null;
  task.comments = {};
  return task as unknown as Task;
}

const changers: readonly [TaskChange, boolean][] = [
  [change, true],
  [commentChange, false],
];

/** New keys for the same order: the tasks' content, `updatedAt` included, is unchanged. */
function rekey(tasks: Record<string, Task>, positions: readonly { taskId: string; position: string }[]): void {
  for (const { taskId, position } of positions) {
    const task = tasks[taskId];
    if (task !== undefined) tasks[taskId] = { ...task, position };
  }
}

/** Applies a task or comment event to a `tasks` record the caller owns. */
export function applyTaskEvent(tasks: Record<string, Task>, event: RecordedBoardEvent): void {
  if (event.type === 'TaskCreated') {
    tasks[event.data.taskId] = newTask(event);
    return;
  }
  if (event.type === 'TaskReinstated') {
    // Exactly as it was when deleted, timestamps included: that is what "undo" promises.
    tasks[event.data.taskId] = { ...event.data.task, id: event.data.taskId };
    return;
  }
  if (event.type === 'ColumnPositionsRebalanced') {
    rekey(tasks, event.data.positions);
    return;
  }
  if (!('taskId' in event.data)) return;
  const task = tasks[event.data.taskId];
  if (task === undefined) return;
  if (event.type === 'TaskDeleted') {
    delete tasks[task.id];
    return;
  }
  for (const [changer, touchesTask] of changers) {
    const patch = changer(task, event);
    if (patch !== null) {
      tasks[task.id] = touchesTask ? { ...task, ...patch, updatedAt: event.occurredAt } : { ...task, ...patch };
      return;
    }
  }
}
