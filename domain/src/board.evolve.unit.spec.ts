import { describe, expect, it } from 'vitest';
import type { BoardEvent, RecordedBoardEvent } from './board.events.js';
import type { BoardState } from './board.state.js';
import { initialBoardState } from './board.state.js';
import { evolve, foldBoard, foldStepwise, foldStepwiseOwned } from './board.evolve.js';
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

const later = '2026-03-02T08:00:00.000Z';
const active = (state: BoardState) => {
  if (state.status === 'initial') throw new Error('expected a board');
  return state;
};
const fold = (...events: (BoardEvent & { actorId?: string; occurredAt?: string })[]) =>
  active(foldBoard(record(events)));
const apply = (state: BoardState, event: BoardEvent, revision: number, actorId = OWNER) =>
  active(evolve(state, { ...event, revision, occurredAt: later, actorId }));

describe('evolve', () => {
  it("creates a task with the event's fields in the event's key order, then its own (snapshots are JSON)", () => {
    const created = taskCreated('t1', { assigneeIds: [EDITOR] });
    // As a jsonb column hands it back: keys by length, then bytes.
    const data = Object.fromEntries(
      Object.entries(created.data).sort(([a], [b]) => a.length - b.length || (a < b ? -1 : 1)),
    ) as typeof created.data;
    const task = fold(...aBoard(), { ...created, data }).tasks.t1!;
    expect(Object.keys(task)).toEqual([
      ...Object.keys(data).filter((key) => !['taskId', 'assigneeIds', 'labels'].includes(key)),
      'id',
      'assigneeIds',
      'labels',
      'status',
      'archived',
      'createdBy',
      'createdAt',
      'updatedAt',
      'completedAt',
      'comments',
    ]);
    expect(task.assigneeIds).not.toBe(data.assigneeIds);
  });

  it('creates the board from BoardCreated', () => {
    expect(fold(...aBoard().slice(0, 1))).toEqual({
      status: 'active',
      id: BOARD_ID,
      name: 'Team',
      description: '',
      createdBy: OWNER,
      createdAt: RECORDED_AT,
      updatedAt: RECORDED_AT,
      revision: 0,
      members: {},
      columns: {},
      tasks: {},
    });
  });

  it('folds members and columns', () => {
    const state = fold(...aBoard());
    expect(state.revision).toBe(6);
    expect(state.members[EDITOR]).toEqual({ userId: EDITOR, role: 'editor', addedAt: RECORDED_AT });
    expect(state.columns[DONE]).toEqual({ id: DONE, name: 'Done', position: 'X', isDone: true, wipLimit: null });
  });

  it('sets revision and updatedAt from every event', () => {
    const state = apply(fold(...aBoard()), { type: 'BoardRenamed', data: { name: 'Renamed' } }, 7);
    expect(state).toMatchObject({ name: 'Renamed', revision: 7, updatedAt: later, createdAt: RECORDED_AT });
  });

  it('archives and restores the board', () => {
    const archived = apply(fold(...aBoard()), { type: 'BoardArchived', data: {} }, 7);
    expect(archived.status).toBe('archived');
    expect(apply(archived, { type: 'BoardRestored', data: {} }, 8).status).toBe('active');
  });

  it('changes and removes members and columns', () => {
    let state = fold(...aBoard());
    state = apply(state, { type: 'MemberRoleChanged', data: { userId: VIEWER, from: 'viewer', role: 'editor' } }, 7);
    state = apply(state, { type: 'MemberRemoved', data: { userId: EDITOR } }, 8);
    state = apply(state, { type: 'ColumnRenamed', data: { columnId: TODO, name: 'Backlog' } }, 9);
    state = apply(state, { type: 'ColumnMoved', data: { columnId: TODO, from: 'V', position: 'Z' } }, 10);
    state = apply(state, { type: 'ColumnWipLimitSet', data: { columnId: TODO, wipLimit: 3 } }, 11);
    state = apply(state, { type: 'ColumnRemoved', data: { columnId: DOING } }, 12);
    expect(state.members[VIEWER]?.role).toBe('editor');
    expect(state.members[EDITOR]).toBeUndefined();
    expect(state.columns[TODO]).toEqual({ id: TODO, name: 'Backlog', position: 'Z', isDone: false, wipLimit: 3 });
    expect(state.columns[DOING]).toBeUndefined();
  });

  describe('tasks', () => {
    const withTask = () => fold(...aBoard(), by(EDITOR, taskCreated('t1', { labels: ['bug'], assigneeIds: [OWNER] })));

    it('creates a task with its creator and creation time', () => {
      expect(withTask().tasks['t1']).toEqual({
        id: 't1',
        columnId: TODO,
        position: 'V',
        title: 'Task t1',
        description: '',
        priority: 'medium',
        dueDate: null,
        assigneeIds: [OWNER],
        labels: ['bug'],
        status: 'open',
        archived: false,
        createdBy: EDITOR,
        createdAt: RECORDED_AT,
        updatedAt: RECORDED_AT,
        completedAt: null,
        comments: {},
      });
    });

    it('applies each field change and stamps updatedAt', () => {
      const events: BoardEvent[] = [
        { type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Fix login' } },
        { type: 'TaskDescriptionChanged', data: { taskId: 't1', description: 'Steps' } },
        { type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'high' } },
        { type: 'TaskDueDateChanged', data: { taskId: 't1', dueDate: '2026-04-01T00:00:00Z' } },
        { type: 'TaskAssigned', data: { taskId: 't1', userId: EDITOR } },
        { type: 'TaskUnassigned', data: { taskId: 't1', userId: OWNER } },
        { type: 'TaskLabelAdded', data: { taskId: 't1', label: 'ui' } },
        { type: 'TaskLabelRemoved', data: { taskId: 't1', label: 'bug' } },
        {
          type: 'TaskMoved',
          data: { taskId: 't1', fromColumnId: TODO, fromPosition: 'V', toColumnId: DOING, position: 'k' },
        },
      ];
      const state = events.reduce<BoardState>((current, event, index) => apply(current, event, 10 + index), withTask());
      expect(active(state).tasks['t1']).toMatchObject({
        title: 'Fix login',
        description: 'Steps',
        priority: 'high',
        dueDate: '2026-04-01T00:00:00Z',
        assigneeIds: [EDITOR],
        labels: ['ui'],
        columnId: DOING,
        position: 'k',
        updatedAt: later,
        createdAt: RECORDED_AT,
      });
    });

    it('sets completedAt on completion and clears it on reopening', () => {
      const done = apply(withTask(), { type: 'TaskCompleted', data: { taskId: 't1' } }, 10);
      expect(done.tasks['t1']).toMatchObject({ status: 'completed', completedAt: later });
      expect(apply(done, { type: 'TaskReopened', data: { taskId: 't1' } }, 11).tasks['t1']).toMatchObject({
        status: 'open',
        completedAt: null,
      });
    });

    it('archives, restores and deletes', () => {
      const archived = apply(withTask(), { type: 'TaskArchived', data: { taskId: 't1' } }, 10);
      expect(archived.tasks['t1']?.archived).toBe(true);
      expect(apply(archived, { type: 'TaskRestored', data: { taskId: 't1' } }, 11).tasks['t1']?.archived).toBe(false);
      expect(apply(archived, { type: 'TaskDeleted', data: { taskId: 't1' } }, 11).tasks['t1']).toBeUndefined();
    });

    it('keeps comments per task, with author and edit time', () => {
      let state = apply(
        withTask(),
        { type: 'CommentAdded', data: { taskId: 't1', commentId: 'c1', body: 'Hi' } },
        10,
        VIEWER,
      );
      expect(state.tasks['t1']?.comments['c1']).toEqual({
        id: 'c1',
        authorId: VIEWER,
        body: 'Hi',
        createdAt: later,
        editedAt: null,
      });
      state = active(
        evolve(state, {
          type: 'CommentEdited',
          data: { taskId: 't1', commentId: 'c1', body: 'Hello' },
          revision: 11,
          occurredAt: '2026-03-03T00:00:00Z',
          actorId: VIEWER,
        }),
      );
      expect(state.tasks['t1']?.comments['c1']).toMatchObject({
        body: 'Hello',
        createdAt: later,
        editedAt: '2026-03-03T00:00:00Z',
      });
      state = apply(state, { type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c1' } }, 12);
      expect(state.tasks['t1']?.comments).toEqual({});
    });

    it('ignores events on a task it does not know, but still advances the revision', () => {
      const state = apply(withTask(), { type: 'TaskTitleChanged', data: { taskId: 't-x', title: 'X' } }, 10);
      expect(Object.keys(state.tasks)).toEqual(['t1']);
      expect(state.revision).toBe(10);
    });
  });

  it('returns the very same state for an event it does not know', () => {
    const state = fold(...aBoard());
    const unknown = {
      type: 'SomethingNew',
      data: {},
      revision: 7,
      occurredAt: later,
      actorId: OWNER,
    } as unknown as RecordedBoardEvent;
    expect(evolve(state, unknown)).toBe(state);
  });

  it('ignores anything before the board is created', () => {
    expect(evolve(initialBoardState, record([taskCreated('t1')])[0] as RecordedBoardEvent)).toBe(initialBoardState);
  });

  it('never changes the state it was given', () => {
    const before = fold(...aBoard(), taskCreated('t1'));
    const snapshot = structuredClone(before);
    apply(before, { type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Changed' } }, 10);
    apply(before, { type: 'MemberRemoved', data: { userId: EDITOR } }, 10);
    apply(before, { type: 'ColumnRemoved', data: { columnId: DOING } }, 10);
    expect(before).toEqual(snapshot);
  });
});

/** A short history touching every kind of record (board, members, columns, tasks, comments). */
const mixedHistory = (): RecordedBoardEvent[] =>
  record([
    ...aBoard(),
    taskCreated('t1'),
    taskCreated('t2', { position: 'W' }),
    {
      type: 'TaskMoved',
      data: { taskId: 't1', fromColumnId: TODO, fromPosition: 'V', toColumnId: DONE, position: 'V' },
    },
    { type: 'TaskCompleted', data: { taskId: 't1' } },
    by(EDITOR, { type: 'CommentAdded', data: { taskId: 't2', commentId: 'c', body: 'x' } }),
    { type: 'BoardRenamed', data: { name: 'Renamed' } },
    { type: 'MemberRemoved', data: { userId: VIEWER } },
    { type: 'ColumnRenamed', data: { columnId: DOING, name: 'Busy' } },
    { type: 'TaskDeleted', data: { taskId: 't2' } },
  ]);

describe('foldBoard', () => {
  const log = mixedHistory();

  it('equals evolving one event at a time', () => {
    expect(foldBoard(log)).toEqual(log.reduce(evolve, initialBoardState));
  });

  it('continues from a given state without changing it', () => {
    const from = foldBoard(log.slice(0, 8));
    const snapshot = structuredClone(from);
    expect(foldBoard(log.slice(8), from)).toEqual(foldBoard(log));
    expect(from).toEqual(snapshot);
  });

  it('folds a long history of a large board', () => {
    const tasks = Array.from({ length: 5000 }, (_, i) =>
      taskCreated(`t${i}`, { position: `V${i.toString().padStart(4, '1')}V` }),
    );
    const moves = Array.from({ length: 45_000 }, (_, i): BoardEvent => ({
      type: 'TaskTitleChanged',
      data: { taskId: `t${i % 5000}`, title: `Title ${i}` },
    }));
    const state = active(foldBoard(record([...aBoard(), ...tasks, ...moves])));
    expect(Object.keys(state.tasks)).toHaveLength(5000);
    expect(state.tasks['t4999']?.title).toBe('Title 44999');
    expect(state.revision).toBe(aBoard().length + 50_000 - 1);
  });
});

describe('foldStepwiseOwned', () => {
  const log = mixedHistory();

  it('folds to what foldStepwise folds, showing the same board before each event', () => {
    for (const split of [0, 1, 3, 8, log.length]) {
      const from = foldBoard(log.slice(0, split));
      const seen: string[] = [];
      const expected: string[] = [];
      foldStepwise(log.slice(split), foldBoard(log.slice(0, split)), (_event, before) =>
        expected.push(JSON.stringify(before)),
      );
      const owned = foldStepwiseOwned(log.slice(split), structuredClone(from), (_event, before) =>
        seen.push(JSON.stringify(before)),
      );
      expect(owned).toEqual(foldBoard(log));
      expect(JSON.stringify(owned)).toBe(JSON.stringify(foldBoard(log)));
      expect(seen).toEqual(expected);
    }
  });

  it('changes the board it owns in place instead of copying it', () => {
    const from = active(foldBoard(log.slice(0, 8)));
    const tasks = from.tasks;
    const folded = foldStepwiseOwned(log.slice(8), from);
    expect(folded).toBe(from);
    expect(active(folded).tasks).toBe(tasks);
    expect(folded).toEqual(foldBoard(log));
  });

  it('never changes the initial board', () => {
    const folded = foldStepwiseOwned(log, initialBoardState);
    expect(initialBoardState).toEqual({ status: 'initial' });
    expect(folded).toEqual(foldBoard(log));
  });
});
