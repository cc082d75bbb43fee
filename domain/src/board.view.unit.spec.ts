import { describe, expect, it } from 'vitest';
import type { BoardState } from './board.state.js';
import { foldBoard } from './board.evolve.js';
import { initialBoardState } from './board.state.js';
import { boardDtoFromState, boardStateFromView, boardViewFromState, taskDtoFromState } from './board.view.js';
import {
  BOARD_ID,
  DOING,
  DONE,
  EDITOR,
  OWNER,
  RECORDED_AT,
  TODO,
  VIEWER,
  aBoard,
  by,
  record,
  taskCreated,
} from './board.testkit.js';

const state = foldBoard(
  record([
    ...aBoard(),
    { type: 'ColumnMoved', data: { columnId: TODO, from: 'V', position: 'Y' } },
    taskCreated('t-b', { columnId: DOING, position: 'W' }),
    taskCreated('t-a', { columnId: DOING, position: 'V', assigneeIds: [EDITOR], labels: ['bug'] }),
    taskCreated('t-todo', { columnId: TODO }),
    taskCreated('t-done', { columnId: DONE }),
    { type: 'TaskCompleted', data: { taskId: 't-done' } },
    { type: 'TaskArchived', data: { taskId: 't-b' } },
    by(EDITOR, { type: 'CommentAdded', data: { taskId: 't-a', commentId: 'c1', body: 'Hi' } }),
  ]),
);
const names = (userId: string) => `Name of ${userId}`;

const withoutComments = (board: BoardState): BoardState => {
  if (board.status === 'initial') return board;
  const tasks = Object.fromEntries(Object.entries(board.tasks).map(([id, task]) => [id, { ...task, comments: {} }]));
  return { ...board, tasks };
};

describe('Board view', () => {
  it('sorts columns by position and tasks by column then position', () => {
    const view = boardViewFromState(state, names);
    expect(view?.columns.map((column) => column.id)).toEqual([DOING, DONE, TODO]);
    expect(view?.tasks.map((task) => task.id)).toEqual(['t-a', 't-b', 't-done', 't-todo']);
    expect(view?.revision).toBe(14);
  });

  it('names the members, listed by join time then id', () => {
    expect(boardViewFromState(state, names)?.members).toEqual(
      [
        { userId: OWNER, name: `Name of ${OWNER}`, role: 'owner', addedAt: RECORDED_AT },
        { userId: EDITOR, name: `Name of ${EDITOR}`, role: 'editor', addedAt: RECORDED_AT },
        { userId: VIEWER, name: `Name of ${VIEWER}`, role: 'viewer', addedAt: RECORDED_AT },
      ].sort((a, b) => (a.userId < b.userId ? -1 : 1)),
    );
  });

  it('round-trips: the state from a view equals the state, without comments', () => {
    const view = boardViewFromState(state, names);
    if (view === null) throw new Error('expected a view');
    expect(boardStateFromView(view)).toEqual(withoutComments(state));
  });

  it('round-trips an archived board', () => {
    const archived = foldBoard(record([{ type: 'BoardArchived', data: {} }], 15), state);
    const view = boardViewFromState(archived, names);
    expect(view?.board.archived).toBe(true);
    if (view === null) throw new Error('expected a view');
    expect(boardStateFromView(view)).toEqual(withoutComments(archived));
  });

  it('gives a task as its DTO, without comments', () => {
    expect(taskDtoFromState(state, 't-a')).toEqual({
      id: 't-a',
      boardId: BOARD_ID,
      columnId: DOING,
      position: 'V',
      title: 'Task t-a',
      description: '',
      priority: 'medium',
      dueDate: null,
      assigneeIds: [EDITOR],
      labels: ['bug'],
      status: 'open',
      archived: false,
      createdBy: OWNER,
      createdAt: RECORDED_AT,
      updatedAt: RECORDED_AT,
      completedAt: null,
    });
    expect(taskDtoFromState(state, 't-done')).toMatchObject({ status: 'completed', completedAt: RECORDED_AT });
    expect(taskDtoFromState(state, 't-x')).toBeNull();
  });

  it('gives the board DTO', () => {
    expect(boardDtoFromState(state)).toEqual({
      id: BOARD_ID,
      name: 'Team',
      description: '',
      archived: false,
      createdBy: OWNER,
      createdAt: RECORDED_AT,
      updatedAt: RECORDED_AT,
      revision: 14,
    });
  });

  it('has nothing for a board that does not exist', () => {
    expect(boardViewFromState(initialBoardState, names)).toBeNull();
    expect(boardDtoFromState(initialBoardState)).toBeNull();
    expect(taskDtoFromState(initialBoardState, 't')).toBeNull();
  });
});
