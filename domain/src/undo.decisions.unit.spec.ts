import { describe, expect, it } from 'vitest';
import type { BoardEvent } from './board.events.js';
import { decide } from './board.decide.js';
import { foldBoard } from './board.evolve.js';
import {
  DONE,
  DOING,
  EDITOR,
  NOW,
  OWNER,
  TODO,
  VIEWER,
  aBoard,
  by,
  record,
  taskCreated,
  thrownBy,
} from './board.testkit.js';
import { membersRestoredByUndo, undoCommand } from './undo.decisions.js';
import { history, taskIn } from './undo.testkit.js';

const t1 = taskCreated('t1', { title: 'Fix login', assigneeIds: [EDITOR], labels: ['bug'] });
const moved = (from: string, to: string, position = 'V', fromPosition = 'V'): BoardEvent => ({
  type: 'TaskMoved',
  data: { taskId: 't1', fromColumnId: from, fromPosition, toColumnId: to, position },
});

describe('Undo', () => {
  describe('of a field change', () => {
    it('sets the field back to what it was', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Fix sign-in' } }],
      );
      expect(board.undo(-1)).toEqual([{ type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Fix login' } }]);
    });

    it('is refused, with the reason, when the field was changed again since', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskTitleChanged', data: { taskId: 't1', title: 'A' } }],
        [{ type: 'TaskTitleChanged', data: { taskId: 't1', title: 'B' } }],
      );
      const error = thrownBy(() => board.undo(-2));
      expect(error.code).toBe('UNDO.UNSAFE');
      expect(error.message).toBe('The title of “Fix login” was changed again since');
    });
  });

  describe('of a move', () => {
    it('moves the card back to its column and place, and reopens it when the move completed it', () => {
      const board = history(aBoard(), [t1], [moved(TODO, DONE), { type: 'TaskCompleted', data: { taskId: 't1' } }]);
      const back = board.after(board.undo(-1));
      expect(taskIn(back, 't1')).toMatchObject({ columnId: TODO, position: 'V', status: 'open', completedAt: null });
    });

    it('is refused when the card was moved again since', () => {
      const board = history(aBoard(), [t1], [moved(TODO, DOING)], [moved(DOING, TODO, 'W')]);
      expect(thrownBy(() => board.undo(-2)).message).toBe('“Fix login” was moved again since');
    });

    it('is refused when the column it came from was removed', () => {
      const board = history(
        aBoard(),
        [t1],
        [moved(TODO, DOING)],
        [{ type: 'ColumnRemoved', data: { columnId: TODO } }],
      );
      expect(thrownBy(() => board.undo(-2)).message).toBe('The column “To do” it came from was removed since');
    });

    it('puts the card right after the one that took its old place', () => {
      const board = history(aBoard(), [t1], [moved(TODO, DOING)], [taskCreated('t2', { position: 'V' })]);
      const back = board.after(board.undo(-2));
      expect(taskIn(back, 't1')?.columnId).toBe(TODO);
      expect((taskIn(back, 't1')?.position ?? '') > 'V').toBe(true);
    });
  });

  describe('of a delete', () => {
    it('brings the task back exactly as it was, comments, completion and all', () => {
      const board = history(
        aBoard(),
        [t1],
        [by(EDITOR, { type: 'CommentAdded', data: { taskId: 't1', commentId: 'c1', body: 'Seen' } })],
        [{ type: 'TaskCompleted', data: { taskId: 't1' } }],
        [{ type: 'TaskDeleted', data: { taskId: 't1' } }],
      );
      const before = foldBoard(board.log.slice(0, -1));
      expect(taskIn(board.after(board.undo(-1)), 't1')).toEqual(taskIn(before, 't1'));
    });

    it('is refused when an assignee has left the board since', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskDeleted', data: { taskId: 't1' } }],
        [{ type: 'MemberRemoved', data: { userId: EDITOR } }],
      );
      expect(thrownBy(() => board.undo(-2)).message).toBe(
        `user ${EDITOR}, assigned to “Fix login”, is no longer a member`,
      );
    });
  });

  describe('of a column removal', () => {
    it('brings the column back with its name, place, done flag and WIP limit', () => {
      const board = history(
        aBoard(),
        [{ type: 'ColumnWipLimitSet', data: { columnId: DOING, wipLimit: 2 } }],
        [{ type: 'ColumnRemoved', data: { columnId: DOING } }],
      );
      expect(board.undo(-1)).toEqual([
        {
          type: 'ColumnAdded',
          data: { columnId: DOING, name: 'In progress', position: 'W', isDone: false, wipLimit: 2 },
        },
      ]);
    });
  });

  describe('of a member removal', () => {
    it('adds them back with their role, then gives them back their tasks', () => {
      const board = history(
        aBoard(),
        [t1],
        [
          { type: 'TaskUnassigned', data: { taskId: 't1', userId: EDITOR } },
          { type: 'MemberRemoved', data: { userId: EDITOR } },
        ],
      );
      expect(board.undo(-1)).toEqual([
        { type: 'MemberAdded', data: { userId: EDITOR, role: 'editor' } },
        { type: 'TaskAssigned', data: { taskId: 't1', userId: EDITOR } },
      ]);
    });

    it('names whom the undo would make members again, for the account check outside the domain', () => {
      const board = history(
        aBoard(),
        [t1],
        [
          { type: 'TaskUnassigned', data: { taskId: 't1', userId: EDITOR } },
          { type: 'MemberRemoved', data: { userId: EDITOR } },
        ],
      );
      expect(membersRestoredByUndo(board.log.slice(-2))).toEqual([EDITOR]);
      expect(membersRestoredByUndo(board.log.slice(0, -2))).toEqual([]);
    });
  });

  describe('of an owner appointed for an erasure (AppointOwnerForErasure, then RemoveErasedMember)', () => {
    const ADMIN = 'user-admin';
    const appointed = (userId: string, from: 'editor' | 'viewer'): BoardEvent[] => [
      by(ADMIN, { type: 'MemberRoleChanged', data: { userId, from, role: 'owner', succeeds: OWNER } }),
    ];
    const erased: BoardEvent[] = [by(ADMIN, { type: 'MemberRemoved', data: { userId: OWNER } })];

    it('is refused while the successor is the only owner: a board keeps one', () => {
      const board = history(aBoard(), appointed(EDITOR, 'editor'), erased);
      const refused = thrownBy(() => board.undo(1, EDITOR));
      expect([refused.code, refused.message]).toEqual(['UNDO.UNSAFE', 'A board keeps at least one owner']);
    });

    it('demotes the successor back once another owner exists, like any role change', () => {
      const board = history(aBoard(), appointed(EDITOR, 'editor'), erased, [
        by(EDITOR, { type: 'MemberRoleChanged', data: { userId: VIEWER, from: 'viewer', role: 'owner' } }),
      ]);
      expect(board.undo(1, EDITOR)).toEqual([
        { type: 'MemberRoleChanged', data: { userId: EDITOR, from: 'owner', role: 'editor' } },
      ]);
    });

    it('of the removal would bring the erased person back: named for the account check, which refuses it', () => {
      const board = history(aBoard(), appointed(EDITOR, 'editor'), erased);
      expect(board.undo(-1, EDITOR)).toEqual([{ type: 'MemberAdded', data: { userId: OWNER, role: 'owner' } }]);
      expect(membersRestoredByUndo(board.log.slice(-1))).toEqual([OWNER]);
    });
  });

  describe('who may undo', () => {
    const board = history(
      aBoard(),
      [by(EDITOR, t1)],
      [by(EDITOR, { type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'high' } })],
      [{ type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Owner’s' } }],
    );

    it('lets an editor undo their own change but not someone else’s', () => {
      expect(board.undo(2, EDITOR)).toEqual([
        { type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'medium' } },
      ]);
      expect(thrownBy(() => board.undo(-1, EDITOR)).code).toBe('AUTH.FORBIDDEN');
    });

    it('lets an owner undo anyone’s change and refuses viewers', () => {
      expect(board.undo(-1, OWNER)).toHaveLength(1);
      expect(thrownBy(() => board.undo(-1, VIEWER)).code).toBe('AUTH.FORBIDDEN');
    });
  });

  it.each([
    ['BoardArchived', { type: 'BoardArchived', data: {} }],
    ['BoardRestored', { type: 'BoardRestored', data: {} }],
    ['MemberAdded', { type: 'MemberAdded', data: { userId: 'user-new', role: 'viewer' } }],
    ['MemberRoleChanged', { type: 'MemberRoleChanged', data: { userId: VIEWER, from: 'viewer', role: 'editor' } }],
    ['MemberRemoved', { type: 'MemberRemoved', data: { userId: VIEWER } }],
  ] as const)('needs the owner to undo %s, even an editor’s own', (_type, event: BoardEvent) => {
    const board = history(aBoard(), [by(EDITOR, event)]);
    expect(thrownBy(() => board.undo(-1, EDITOR)).code).toBe('AUTH.FORBIDDEN');
  });

  it('refuses someone demoted to viewer the undo of their own change', () => {
    const board = history(
      aBoard(),
      [t1],
      [by(EDITOR, { type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'high' } })],
      [{ type: 'MemberRoleChanged', data: { userId: EDITOR, from: 'editor', role: 'viewer' } }],
    );
    expect(thrownBy(() => board.undo(-2, EDITOR)).code).toBe('AUTH.FORBIDDEN');
  });

  it('needs the owner when any event of the change is someone else’s', () => {
    const board = history(
      aBoard(),
      [t1],
      [
        by(EDITOR, { type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'high' } }),
        { type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Owner’s' } },
      ],
    );
    expect(thrownBy(() => board.undo(-1, EDITOR)).code).toBe('AUTH.FORBIDDEN');
  });

  it('needs the owner when any event of the change needed the owner', () => {
    const board = history(
      aBoard(),
      [t1],
      [
        by(EDITOR, { type: 'TaskUnassigned', data: { taskId: 't1', userId: EDITOR } }),
        by(EDITOR, { type: 'MemberRemoved', data: { userId: VIEWER } }),
      ],
    );
    expect(thrownBy(() => board.undo(-1, EDITOR)).code).toBe('AUTH.FORBIDDEN');
  });

  it('undoes each event of a longer change against the board as that event found it', () => {
    const board = history(aBoard(), [
      taskCreated('t1', { title: 'Fix login', priority: 'high' }),
      { type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Fix sign-in' } },
      { type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'urgent' } },
    ]);
    expect(board.undo(-1)).toEqual([
      { type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'high' } },
      { type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Fix login' } },
      { type: 'TaskDeleted', data: { taskId: 't1' } },
    ]);
  });

  it('refuses to undo, while the board is archived, a change that did more than archive it', () => {
    const board = history(aBoard(), [
      { type: 'BoardArchived', data: {} },
      { type: 'BoardRenamed', data: { name: 'Old' } },
    ]);
    expect(thrownBy(() => board.undo(-1)).code).toBe('BOARD.ARCHIVED');
  });

  it('finds no change past the end of the history', () => {
    const board = history(aBoard());
    const past = { first: board.log.length, last: board.log.length };
    expect(thrownBy(() => decide(undoCommand(board.log, past, { now: NOW, actorId: OWNER }), board.state)).code).toBe(
      'UNDO.CHANGE_NOT_FOUND',
    );
  });

  it('builds the command from the change’s events and the board just before them', () => {
    const board = history(aBoard(), [t1], [{ type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'high' } }]);
    const range = { first: board.log.length - 1, last: board.log.length - 1 };
    expect(undoCommand(board.log, range, { now: NOW, actorId: OWNER }).data).toEqual({
      revision: range.first,
      change: board.log.slice(-1),
      before: foldBoard(board.log.slice(0, -1)),
      laterMoves: [],
    });
  });

  it('hands the moves and renumberings appended after the change to the command, and nothing else after it', () => {
    const move = {
      type: 'TaskMoved',
      data: { taskId: 't1', fromColumnId: TODO, fromPosition: 'V', toColumnId: TODO, position: 'W' },
    } as const;
    const board = history(
      aBoard(),
      [t1],
      [{ type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'high' } }],
      [move],
    );
    const first = board.log.length - 2;
    const command = undoCommand(board.log, { first, last: first }, { now: NOW, actorId: OWNER });
    expect(command.data.laterMoves).toEqual(board.log.slice(-1));
    expect(
      undoCommand(board.log, { first: first - 1, last: first - 1 }, { now: NOW, actorId: OWNER }).data.laterMoves,
    ).toEqual(board.log.slice(-1));
  });

  it('cannot undo the board’s creation', () => {
    const board = history(aBoard());
    const error = thrownBy(() => board.undo(0));
    expect(error.code).toBe('UNDO.NOT_UNDOABLE');
    expect(error.message).toBe('Creating the board cannot be undone; archive the board instead');
  });

  it('undoes an undo (a redo), since compensations are ordinary changes', () => {
    const board = history(
      aBoard(),
      [t1],
      [{ type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'urgent' } }],
    );
    const undone = board.after(board.undo(-1));
    expect(taskIn(undone, 't1')?.priority).toBe('medium');
    const log = [...board.log, ...record(board.undo(-1), board.log.length)];
    const redo = decide(
      undoCommand(log, { first: log.length - 1, last: log.length - 1 }, { now: NOW, actorId: OWNER }),
      undone,
    );
    expect(redo).toEqual([{ type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'urgent' } }]);
  });
});
