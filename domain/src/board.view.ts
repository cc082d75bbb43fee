import type { BoardDto, BoardViewDto, ColumnDto, MemberDto, TaskDto } from './board.dto.js';
import type { BoardState, Column, Member, Task } from './board.state.js';
import type { ExistingBoard } from './board.guards.js';
import { sortByPosition } from './board.placement.js';

export function boardDtoFromState(state: BoardState): BoardDto | null {
  if (state.status === 'initial') return null;
  const { id, name, description, createdBy, createdAt, updatedAt, revision } = state;
  return { id, name, description, archived: state.status === 'archived', createdBy, createdAt, updatedAt, revision };
}

function taskDto(board: ExistingBoard, task: Task): TaskDto {
  const { comments: _comments, ...fields } = task;
  return { ...fields, boardId: board.id, assigneeIds: [...task.assigneeIds], labels: [...task.labels] };
}

export function taskDtoFromState(state: BoardState, taskId: string): TaskDto | null {
  if (state.status === 'initial') return null;
  const task = state.tasks[taskId];
  return task === undefined ? null : taskDto(state, task);
}

const columnDto = ({ id, name, position, isDone, wipLimit }: Column): ColumnDto => ({
  id,
  name,
  position,
  isDone,
  wipLimit,
});

const byAddedThenId = (a: Member, b: Member): number =>
  a.addedAt < b.addedAt ? -1 : a.addedAt > b.addedAt ? 1 : a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;

/** The REST view of the board: columns by position, tasks by column position then task position. */
export function boardViewFromState(state: BoardState, memberNames: (userId: string) => string): BoardViewDto | null {
  const board = boardDtoFromState(state);
  if (board === null || state.status === 'initial') return null;
  const columns = sortByPosition(Object.values(state.columns));
  const columnRank = new Map(columns.map((column, index) => [column.id, index]));
  const rankOf = (task: Task) => columnRank.get(task.columnId) ?? columns.length;
  const tasks = Object.values(state.tasks).sort(
    (a, b) => rankOf(a) - rankOf(b) || (a.position < b.position ? -1 : a.position > b.position ? 1 : 0),
  );
  const members: MemberDto[] = Object.values(state.members)
    .sort(byAddedThenId)
    .map((member) => ({ ...member, name: memberNames(member.userId) }));
  return {
    board,
    columns: columns.map(columnDto),
    tasks: tasks.map((task) => taskDto(state, task)),
    members,
    revision: state.revision,
  };
}

/** The fold's starting point in the web client: a REST view as state (comments are not in the view). */
export function boardStateFromView(view: BoardViewDto): BoardState {
  const { board } = view;
  const members: Record<string, Member> = {};
  for (const { userId, role, addedAt } of view.members) members[userId] = { userId, role, addedAt };
  const columns: Record<string, Column> = {};
  for (const column of view.columns) columns[column.id] = columnDto(column);
  const tasks: Record<string, Task> = {};
  for (const { boardId: _boardId, ...task } of view.tasks) {
    tasks[task.id] = { ...task, assigneeIds: [...task.assigneeIds], labels: [...task.labels], comments: {} };
  }
  return {
    status: board.archived ? 'archived' : 'active',
    id: board.id,
    name: board.name,
    description: board.description,
    createdBy: board.createdBy,
    createdAt: board.createdAt,
    updatedAt: board.updatedAt,
    revision: view.revision,
    members,
    columns,
    tasks,
  };
}
