import type { RecordedBoardEvent } from './board.events.js';
import type { EventDescription, Names } from './describe.shared.js';
import { change, quoted } from './describe.shared.js';

export type TaskLevelEvent = Extract<RecordedBoardEvent, { data: { taskId: string } }>;

const listAfter = (list: readonly string[] | undefined, add: string | null, remove: string | null): string[] => {
  const values = (list ?? []).filter((value) => value !== remove);
  return add !== null && !values.includes(add) ? [...values, add] : values;
};

function describeTaskFields(event: TaskLevelEvent, names: Names): EventDescription | null {
  const task = names.task(event.data.taskId);
  const title = names.title(event.data.taskId);
  switch (event.type) {
    case 'TaskTitleChanged':
      return {
        summary: `Renamed ${title} to ${quoted(event.data.title)}`,
        changes: [change('title', task?.title ?? null, event.data.title)],
      };
    case 'TaskDescriptionChanged':
      return {
        summary: `Changed the description of ${title}`,
        changes: [change('description', task?.description ?? null, event.data.description)],
      };
    case 'TaskPriorityChanged':
      return {
        summary: `Set the priority of ${title} to ${event.data.priority}`,
        changes: [change('priority', task?.priority ?? null, event.data.priority)],
      };
    case 'TaskDueDateChanged':
      return {
        summary:
          event.data.dueDate === null
            ? `Cleared the due date of ${title}`
            : `Set the due date of ${title} to ${event.data.dueDate}`,
        changes: [change('dueDate', task?.dueDate ?? null, event.data.dueDate)],
      };
    case 'TaskAssigned':
      return {
        summary: `Assigned ${title} to ${event.data.userId}`,
        changes: [
          change('assigneeIds', task?.assigneeIds ?? [], listAfter(task?.assigneeIds, event.data.userId, null)),
        ],
      };
    case 'TaskUnassigned':
      return {
        summary: `Unassigned ${event.data.userId} from ${title}`,
        changes: [
          change('assigneeIds', task?.assigneeIds ?? [], listAfter(task?.assigneeIds, null, event.data.userId)),
        ],
      };
    case 'TaskLabelAdded':
      return {
        summary: `Labelled ${title} ${quoted(event.data.label)}`,
        changes: [change('labels', task?.labels ?? [], listAfter(task?.labels, event.data.label, null))],
      };
    case 'TaskLabelRemoved':
      return {
        summary: `Removed the label ${quoted(event.data.label)} from ${title}`,
        changes: [change('labels', task?.labels ?? [], listAfter(task?.labels, null, event.data.label))],
      };
    default:
      return null;
  }
}

function describeTaskLife(event: TaskLevelEvent, names: Names): EventDescription | null {
  const task = names.task(event.data.taskId);
  const title = names.title(event.data.taskId);
  switch (event.type) {
    case 'TaskCreated': {
      const { columnId, title: newTitle, description, priority, dueDate, assigneeIds, labels } = event.data;
      return {
        summary: `Created ${quoted(newTitle)} in ${names.column(columnId)}`,
        changes: Object.entries({ title: newTitle, description, columnId, priority, dueDate, assigneeIds, labels }).map(
          ([field, to]) => change(field, null, to),
        ),
      };
    }
    case 'TaskMoved': {
      const { fromColumnId, toColumnId, fromPosition, position } = event.data;
      const where =
        fromColumnId === toColumnId
          ? `within ${names.column(toColumnId)}`
          : `from ${names.column(fromColumnId)} to ${names.column(toColumnId)}`;
      return {
        summary: `Moved ${title} ${where}`,
        changes: [
          change('columnId', task?.columnId ?? fromColumnId, toColumnId),
          change('position', task?.position ?? fromPosition, position),
        ],
      };
    }
    case 'TaskCompleted':
      return { summary: `Completed ${title}`, changes: [change('status', task?.status ?? null, 'completed')] };
    case 'TaskReopened':
      return { summary: `Reopened ${title}`, changes: [change('status', task?.status ?? null, 'open')] };
    case 'TaskArchived':
      return { summary: `Archived ${title}`, changes: [change('archived', task?.archived ?? null, true)] };
    case 'TaskRestored':
      return { summary: `Restored ${title}`, changes: [change('archived', task?.archived ?? null, false)] };
    case 'TaskDeleted':
      return { summary: `Deleted ${title}`, changes: [change('title', task?.title ?? null, null)] };
    case 'TaskReinstated':
      return {
        summary: `Brought back the deleted task ${quoted(event.data.task.title)}`,
        changes: [change('title', null, event.data.task.title), change('columnId', null, event.data.task.columnId)],
      };
    default:
      return null;
  }
}

function describeComment(event: TaskLevelEvent, names: Names): EventDescription | null {
  const title = names.title(event.data.taskId);
  const comments = names.task(event.data.taskId)?.comments;
  switch (event.type) {
    case 'CommentAdded':
      return { summary: `Commented on ${title}`, changes: [change('comment.body', null, event.data.body)] };
    case 'CommentEdited':
      return {
        summary: `Edited a comment on ${title}`,
        changes: [change('comment.body', comments?.[event.data.commentId]?.body ?? null, event.data.body)],
      };
    case 'CommentDeleted':
      return {
        summary: `Deleted a comment on ${title}`,
        changes: [change('comment.body', comments?.[event.data.commentId]?.body ?? null, null)],
      };
    case 'CommentReinstated':
      return {
        summary: `Brought back a deleted comment on ${title}`,
        changes: [change('comment.body', null, event.data.comment.body)],
      };
    default:
      return null;
  }
}

export function describeTaskEvent(event: TaskLevelEvent, names: Names): EventDescription {
  return (
    describeTaskFields(event, names) ??
    describeTaskLife(event, names) ??
    describeComment(event, names) ?? { summary: `${event.type} on ${names.title(event.data.taskId)}`, changes: [] }
  );
}

/** Compile-time exhaustiveness: adding a task event without describing it fails the type check. */
type Described =
  | 'TaskTitleChanged'
  | 'TaskDescriptionChanged'
  | 'TaskPriorityChanged'
  | 'TaskDueDateChanged'
  | 'TaskAssigned'
  | 'TaskUnassigned'
  | 'TaskLabelAdded'
  | 'TaskLabelRemoved'
  | 'TaskCreated'
  | 'TaskMoved'
  | 'TaskCompleted'
  | 'TaskReopened'
  | 'TaskArchived'
  | 'TaskRestored'
  | 'TaskDeleted'
  | 'TaskReinstated'
  | 'CommentAdded'
  | 'CommentEdited'
  | 'CommentDeleted'
  | 'CommentReinstated';
export const everyTaskEventDescribed: [Exclude<TaskLevelEvent['type'], Described>] extends [never] ? true : never =
  true;
