import type { RecordedBoardEvent } from './board.events.js';
import type { BoardState } from './board.state.js';
import { change, quoted } from './describe.shared.js';
import type { EventDescription, Names } from './describe.shared.js';
import { describeTaskEvent } from './tasks.describe.js';
import type { TaskLevelEvent } from './tasks.describe.js';

const isTaskLevel = (event: RecordedBoardEvent): event is TaskLevelEvent => 'taskId' in event.data;

export type { EventDescription, FieldChange, Names } from './describe.shared.js';

function namesIn(before: BoardState): Names {
  const board = before.status === 'initial' ? null : before;
  const task = (taskId: string) => board?.tasks[taskId];
  return {
    column: (columnId) => board?.columns[columnId]?.name ?? columnId,
    task,
    title: (taskId) => quoted(task(taskId)?.title ?? taskId),
  };
}

type BoardLevelEvent = Exclude<RecordedBoardEvent, TaskLevelEvent>;
type ColumnLevelEvent = Extract<BoardLevelEvent, { data: { columnId: string } }>;
type BoardOrMemberEvent = Exclude<BoardLevelEvent, ColumnLevelEvent>;

const isColumnLevel = (event: BoardLevelEvent): event is ColumnLevelEvent => 'columnId' in event.data;

const unknownEvent = (event: never): EventDescription => ({
  summary: `Recorded ${(event as { type: string }).type}`,
  changes: [],
});

/** Why an administrator changed a board's owners: its only owner's account is being erased. */
const succeeding = (erasedUserId: string | undefined): string =>
  erasedUserId === undefined ? '' : `, succeeding ${erasedUserId} (account erasure)`;

function describeBoardEvent(event: BoardOrMemberEvent, before: BoardState): EventDescription {
  const board = before.status === 'initial' ? null : before;
  switch (event.type) {
    case 'BoardCreated':
      return {
        summary: `Created the board ${quoted(event.data.name)}`,
        changes: [change('name', null, event.data.name), change('description', null, event.data.description)],
      };
    case 'BoardRenamed':
      return {
        summary: `Renamed the board to ${quoted(event.data.name)}`,
        changes: [change('name', board?.name ?? null, event.data.name)],
      };
    case 'BoardDescriptionChanged':
      return {
        summary: 'Changed the board description',
        changes: [change('description', board?.description ?? null, event.data.description)],
      };
    case 'BoardArchived':
      return { summary: 'Archived the board', changes: [change('archived', false, true)] };
    case 'BoardRestored':
      return { summary: 'Restored the board', changes: [change('archived', true, false)] };
    case 'MemberAdded':
      return {
        summary: `Added ${event.data.userId} as ${event.data.role}${succeeding(event.data.succeeds)}`,
        changes: [change(`members.${event.data.userId}.role`, null, event.data.role)],
      };
    case 'MemberRoleChanged':
      return {
        summary: `Changed the role of ${event.data.userId} from ${event.data.from} to ${event.data.role}${succeeding(event.data.succeeds)}`,
        changes: [
          change(
            `members.${event.data.userId}.role`,
            board?.members[event.data.userId]?.role ?? event.data.from,
            event.data.role,
          ),
        ],
      };
    case 'MemberRemoved':
      return {
        summary: `Removed ${event.data.userId} from the board`,
        changes: [change(`members.${event.data.userId}.role`, board?.members[event.data.userId]?.role ?? null, null)],
      };
    default:
      return unknownEvent(event);
  }
}

const tasksCount = (n: number): string => `${n} ${n === 1 ? 'task' : 'tasks'}`;

function describeColumnEvent(event: ColumnLevelEvent, before: BoardState, names: Names): EventDescription {
  const column = (columnId: string) => (before.status === 'initial' ? undefined : before.columns[columnId]);
  switch (event.type) {
    case 'ColumnAdded':
      return {
        summary: `Added the column ${quoted(event.data.name)}`,
        changes: [
          change('name', null, event.data.name),
          change('position', null, event.data.position),
          change('isDone', null, event.data.isDone),
          change('wipLimit', null, event.data.wipLimit),
        ],
      };
    case 'ColumnRenamed':
      return {
        summary: `Renamed the column ${quoted(names.column(event.data.columnId))} to ${quoted(event.data.name)}`,
        changes: [change('name', column(event.data.columnId)?.name ?? null, event.data.name)],
      };
    case 'ColumnMoved':
      return {
        summary: `Moved the column ${quoted(names.column(event.data.columnId))}`,
        changes: [change('position', column(event.data.columnId)?.position ?? event.data.from, event.data.position)],
      };
    case 'ColumnWipLimitSet':
      return {
        summary:
          event.data.wipLimit === null
            ? `Removed the WIP limit of ${quoted(names.column(event.data.columnId))}`
            : `Set the WIP limit of ${quoted(names.column(event.data.columnId))} to ${event.data.wipLimit}`,
        changes: [change('wipLimit', column(event.data.columnId)?.wipLimit ?? null, event.data.wipLimit)],
      };
    case 'ColumnPositionsRebalanced':
      return {
        summary: `Renumbered the positions of ${tasksCount(event.data.positions.length)} in the column ${quoted(names.column(event.data.columnId))} (order unchanged)`,
        changes: event.data.positions.map(({ taskId, position }) =>
          change(`tasks.${taskId}.position`, names.task(taskId)?.position ?? null, position),
        ),
      };
    case 'ColumnRemoved':
      return {
        summary: `Removed the column ${quoted(names.column(event.data.columnId))}`,
        changes: [change('name', column(event.data.columnId)?.name ?? null, null)],
      };
    default:
      return unknownEvent(event);
  }
}

/**
 * What `event` did, with each change's prior value read from `before` (the state the event
 * was applied to). Events it does not know get a generic line rather than an error.
 */
export function describe(event: RecordedBoardEvent, before: BoardState): EventDescription {
  const names = namesIn(before);
  if (isTaskLevel(event)) return describeTaskEvent(event, names);
  return isColumnLevel(event) ? describeColumnEvent(event, before, names) : describeBoardEvent(event, before);
}
