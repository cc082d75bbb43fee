import type { BoardEvent, RecordedBoardEvent } from './board.events.js';
import { countOwners } from './board.guards.js';
import type { UndoStep } from './undo.shared.js';
import { columnName, freePosition, refuseUnless, userName } from './undo.shared.js';

type BoardLevel = Exclude<RecordedBoardEvent, { data: { taskId: string } }>;

const otherColumnKeys = (step: UndoStep<unknown>, columnId: string) =>
  Object.values(step.current.columns)
    .filter((column) => column.id !== columnId)
    .map((column) => column.position);

function undoMemberEvent(step: UndoStep<BoardLevel>): BoardEvent[] | null {
  const { event, prior, current } = step;
  if (event.type === 'MemberAdded' || event.type === 'MemberRoleChanged') {
    const { userId, role } = event.data;
    const member = current.members[userId];
    refuseUnless(member !== undefined, `${userName(userId)} is no longer a member`);
    refuseUnless(member.role === role, `The role of ${userName(userId)} was changed again since`);
    // Undoing makes them something other than an owner (a role change always changes the role).
    refuseUnless(role !== 'owner' || countOwners(current) > 1, 'A board keeps at least one owner');
    if (event.type === 'MemberRoleChanged')
      return [{ type: 'MemberRoleChanged', data: { userId, from: role, role: event.data.from } }];
    const assigned = Object.values(current.tasks).some((task) => task.assigneeIds.includes(userId));
    refuseUnless(!assigned, `${userName(userId)} has been given tasks since; remove them from the board instead`);
    return [{ type: 'MemberRemoved', data: { userId } }];
  }
  if (event.type === 'MemberRemoved') {
    const { userId } = event.data;
    refuseUnless(current.members[userId] === undefined, `${userName(userId)} was added back since`);
    const role = prior.members[userId]?.role ?? 'viewer';
    return [{ type: 'MemberAdded', data: { userId, role } }];
  }
  return null;
}

function undoColumnLife(step: UndoStep<BoardLevel>): BoardEvent[] | null {
  const { event, prior, current } = step;
  if (event.type === 'ColumnAdded') {
    const { columnId } = event.data;
    refuseUnless(
      current.columns[columnId] !== undefined,
      `The column ${columnName(prior, columnId)} was removed since`,
    );
    refuseUnless(
      !Object.values(current.tasks).some((task) => task.columnId === columnId),
      `The column ${columnName(current, columnId)} has tasks now`,
    );
    refuseUnless(Object.keys(current.columns).length > 1, 'A board needs a column');
    return [{ type: 'ColumnRemoved', data: { columnId } }];
  }
  if (event.type === 'ColumnRemoved') {
    const column = prior.columns[event.data.columnId];
    refuseUnless(column !== undefined && current.columns[column.id] === undefined, 'The column exists again');
    const position = freePosition(column.position, otherColumnKeys(step, column.id));
    return [
      {
        type: 'ColumnAdded',
        data: { columnId: column.id, name: column.name, position, isDone: column.isDone, wipLimit: column.wipLimit },
      },
    ];
  }
  return null;
}

function undoColumnChange(step: UndoStep<BoardLevel>): BoardEvent[] | null {
  const { event, prior, current } = step;
  if (event.type !== 'ColumnRenamed' && event.type !== 'ColumnMoved' && event.type !== 'ColumnWipLimitSet') return null;
  const { columnId } = event.data;
  const now = current.columns[columnId];
  const before = prior.columns[columnId];
  refuseUnless(
    now !== undefined && before !== undefined,
    `The column ${columnName(prior, columnId)} was removed since`,
  );
  const name = columnName(current, columnId);
  switch (event.type) {
    case 'ColumnRenamed':
      refuseUnless(now.name === event.data.name, `The column ${name} was renamed again since`);
      return [{ type: 'ColumnRenamed', data: { columnId, name: before.name } }];
    case 'ColumnMoved':
      refuseUnless(now.position === event.data.position, `The column ${name} was moved again since`);
      return [
        {
          type: 'ColumnMoved',
          data: {
            columnId,
            from: now.position,
            position: freePosition(before.position, otherColumnKeys(step, columnId)),
          },
        },
      ];
    default:
      refuseUnless(now.wipLimit === event.data.wipLimit, `The WIP limit of ${name} was changed again since`);
      return [{ type: 'ColumnWipLimitSet', data: { columnId, wipLimit: before.wipLimit } }];
  }
}

function undoBoardFields(step: UndoStep<BoardLevel>): BoardEvent[] | null {
  const { event, prior, current } = step;
  switch (event.type) {
    case 'BoardRenamed':
      refuseUnless(current.name === event.data.name, 'The board was renamed again since');
      return [{ type: 'BoardRenamed', data: { name: prior.name } }];
    case 'BoardDescriptionChanged':
      refuseUnless(current.description === event.data.description, 'The board description was changed again since');
      return [{ type: 'BoardDescriptionChanged', data: { description: prior.description } }];
    case 'BoardArchived':
      refuseUnless(current.status === 'archived', 'The board was restored since');
      return [{ type: 'BoardRestored', data: {} }];
    case 'BoardRestored':
      refuseUnless(current.status !== 'archived', 'The board was archived again since');
      return [{ type: 'BoardArchived', data: {} }];
    default:
      return null;
  }
}

/** The compensation of one board, member or column event (BoardCreated is refused before this). */
export function undoBoardEvent(step: UndoStep<BoardLevel>): BoardEvent[] {
  // New keys for the order the column already had: nothing a later change could depend on, nothing to put back.
  if (step.event.type === 'ColumnPositionsRebalanced') return [];
  return undoBoardFields(step) ?? undoMemberEvent(step) ?? undoColumnLife(step) ?? undoColumnChange(step) ?? [];
}
