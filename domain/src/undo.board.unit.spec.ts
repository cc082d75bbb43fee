import { describe, expect, it } from 'vitest';
import type { BoardEvent } from './board.events.js';
import {
  DOING,
  EDITOR,
  OWNER,
  TODO,
  VIEWER,
  aBoard,
  columnAdded,
  memberAdded,
  taskCreated,
  thrownBy,
} from './board.testkit.js';
import { foldBoard } from './board.evolve.js';
import type { ExistingBoard } from './board.guards.js';
import { record } from './board.testkit.js';
import { undoBoardEvent } from './undo.board.js';
import { history } from './undo.testkit.js';

const roleChanged = (
  userId: string,
  from: 'owner' | 'editor' | 'viewer',
  role: 'owner' | 'editor' | 'viewer',
): BoardEvent => ({ type: 'MemberRoleChanged', data: { userId, from, role } });
const removed = (userId: string): BoardEvent => ({ type: 'MemberRemoved', data: { userId } });
const renamedColumn = (name: string): BoardEvent => ({ type: 'ColumnRenamed', data: { columnId: DOING, name } });
const movedColumn = (from: string, position: string): BoardEvent => ({
  type: 'ColumnMoved',
  data: { columnId: DOING, from, position },
});
const wipLimit = (limit: number | null): BoardEvent => ({
  type: 'ColumnWipLimitSet',
  data: { columnId: DOING, wipLimit: limit },
});
const archived: BoardEvent = { type: 'BoardArchived', data: {} };
const restored: BoardEvent = { type: 'BoardRestored', data: {} };
const unsafeReason = (run: () => unknown) => {
  const error = thrownBy(run);
  expect(error.code).toBe('UNDO.UNSAFE');
  return error.message;
};

describe('Undo of a board change', () => {
  describe('of the board’s name, description or archiving', () => {
    it('puts the old name back', () => {
      const board = history(aBoard(), [{ type: 'BoardRenamed', data: { name: 'Platform' } }]);
      expect(board.undo(-1)).toEqual([{ type: 'BoardRenamed', data: { name: 'Team' } }]);
    });

    it('is refused when the board was renamed again since', () => {
      const board = history(
        aBoard(),
        [{ type: 'BoardRenamed', data: { name: 'Platform' } }],
        [{ type: 'BoardRenamed', data: { name: 'Core' } }],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('The board was renamed again since');
    });

    it('puts the old description back', () => {
      const board = history(aBoard(), [{ type: 'BoardDescriptionChanged', data: { description: 'Q3' } }]);
      expect(board.undo(-1)).toEqual([{ type: 'BoardDescriptionChanged', data: { description: '' } }]);
    });

    it('is refused when the description was changed again since', () => {
      const board = history(
        aBoard(),
        [{ type: 'BoardDescriptionChanged', data: { description: 'Q3' } }],
        [{ type: 'BoardDescriptionChanged', data: { description: 'Q4' } }],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('The board description was changed again since');
    });

    it('restores an archived board: the one undo allowed while it is archived', () => {
      const board = history(aBoard(), [archived]);
      expect(board.undo(-1)).toEqual([{ type: 'BoardRestored', data: {} }]);
    });

    it('refuses any other undo while the board is archived', () => {
      const board = history(aBoard(), [{ type: 'BoardRenamed', data: { name: 'Platform' } }], [archived]);
      expect(thrownBy(() => board.undo(-2)).code).toBe('BOARD.ARCHIVED');
    });

    it('does not restore a board the undo of an archiving finds restored since', () => {
      const board = history(aBoard(), [archived], [restored]);
      expect(unsafeReason(() => board.undo(-2))).toBe('The board was restored since');
    });

    it('archives a board the change restored', () => {
      const board = history(aBoard(), [archived], [restored]);
      expect(board.undo(-1)).toEqual([{ type: 'BoardArchived', data: {} }]);
    });

    it('does not archive a board that is archived again (undoChange refuses earlier, on the archived board)', () => {
      const log = record([...aBoard(), archived, restored, archived]);
      const [event] = log.slice(-2);
      const step = {
        event: event as never,
        prior: foldBoard(log.slice(0, -2)) as ExistingBoard,
        current: foldBoard(log) as ExistingBoard,
      };
      expect(unsafeReason(() => undoBoardEvent(step))).toBe('The board was archived again since');
    });

    it('needs the owner for an archiving, even the editor’s own', () => {
      const board = history(aBoard(), [{ ...archived, actorId: EDITOR }]);
      expect(thrownBy(() => board.undo(-1, EDITOR)).code).toBe('AUTH.FORBIDDEN');
    });
  });

  describe('of a member change', () => {
    it('removes someone the change added', () => {
      const board = history(aBoard(), [memberAdded('user-new', 'editor')]);
      expect(board.undo(-1)).toEqual([{ type: 'MemberRemoved', data: { userId: 'user-new' } }]);
    });

    it('is refused when the added member has left since', () => {
      const board = history(aBoard(), [memberAdded('user-new', 'editor')], [removed('user-new')]);
      expect(unsafeReason(() => board.undo(-2))).toBe('user user-new is no longer a member');
    });

    it('is refused when the added member’s role was changed since', () => {
      const board = history(
        aBoard(),
        [memberAdded('user-new', 'editor')],
        [roleChanged('user-new', 'editor', 'viewer')],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('The role of user user-new was changed again since');
    });

    it('is refused when the added member has been given tasks since', () => {
      const board = history(
        aBoard(),
        [memberAdded('user-new', 'editor')],
        [taskCreated('t1', { assigneeIds: ['user-new'] })],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe(
        'user user-new has been given tasks since; remove them from the board instead',
      );
    });

    it('removes an added owner while another owner remains', () => {
      const board = history(aBoard(), [memberAdded('user-new', 'owner')]);
      expect(board.undo(-1)).toEqual([{ type: 'MemberRemoved', data: { userId: 'user-new' } }]);
    });

    it('is refused when it would remove the last owner', () => {
      const board = history(aBoard(), [memberAdded('user-new', 'owner')], [removed(OWNER)]);
      expect(unsafeReason(() => board.undo(-2, 'user-new'))).toBe('A board keeps at least one owner');
    });

    it('changes a role back', () => {
      const board = history(aBoard(), [roleChanged(VIEWER, 'viewer', 'editor')]);
      expect(board.undo(-1)).toEqual([
        { type: 'MemberRoleChanged', data: { userId: VIEWER, from: 'editor', role: 'viewer' } },
      ]);
    });

    it('is refused when the role was changed again since', () => {
      const board = history(
        aBoard(),
        [roleChanged(VIEWER, 'viewer', 'editor')],
        [roleChanged(VIEWER, 'editor', 'owner')],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('The role of user user-viewer was changed again since');
    });

    it('is refused when the member whose role changed has left since', () => {
      const board = history(aBoard(), [roleChanged(VIEWER, 'viewer', 'editor')], [removed(VIEWER)]);
      expect(unsafeReason(() => board.undo(-2))).toBe('user user-viewer is no longer a member');
    });

    it('takes the owner role back from someone promoted while another owner remains', () => {
      const board = history(aBoard(), [roleChanged(EDITOR, 'editor', 'owner')]);
      expect(board.undo(-1)).toEqual([
        { type: 'MemberRoleChanged', data: { userId: EDITOR, from: 'owner', role: 'editor' } },
      ]);
    });

    it('is refused when taking back a promotion would leave the board without an owner', () => {
      const board = history(aBoard(), [roleChanged(EDITOR, 'editor', 'owner')], [removed(OWNER)]);
      expect(unsafeReason(() => board.undo(-2, EDITOR))).toBe('A board keeps at least one owner');
    });

    it('gives an owner back the role they were demoted from, with no owner count to keep', () => {
      const board = history(aBoard(), [memberAdded(EDITOR + '-2', 'owner')], [roleChanged(OWNER, 'owner', 'editor')]);
      expect(board.undo(-1, EDITOR + '-2')).toEqual([
        { type: 'MemberRoleChanged', data: { userId: OWNER, from: 'editor', role: 'owner' } },
      ]);
    });

    it('adds a removed member back with the role they had', () => {
      const board = history(aBoard(), [removed(VIEWER)]);
      expect(board.undo(-1)).toEqual([{ type: 'MemberAdded', data: { userId: VIEWER, role: 'viewer' } }]);
    });

    it('is refused when the removed member was added back since', () => {
      const board = history(aBoard(), [removed(VIEWER)], [memberAdded(VIEWER, 'editor')]);
      expect(unsafeReason(() => board.undo(-2))).toBe('user user-viewer was added back since');
    });
  });

  describe('of a column change', () => {
    it('removes a column the change added', () => {
      const board = history(aBoard(), [columnAdded('c-new', 'Review', 'Y')]);
      expect(board.undo(-1)).toEqual([{ type: 'ColumnRemoved', data: { columnId: 'c-new' } }]);
    });

    it('is refused when the added column was removed since, naming it by its id since the board had no name for it', () => {
      const board = history(
        aBoard(),
        [columnAdded('c-new', 'Review', 'Y')],
        [{ type: 'ColumnRemoved', data: { columnId: 'c-new' } }],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('The column “c-new” was removed since');
    });

    it('is refused when the added column has tasks now', () => {
      const board = history(
        aBoard(),
        [columnAdded('c-new', 'Review', 'Y')],
        [taskCreated('t1', { columnId: 'c-new' })],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('The column “Review” has tasks now');
    });

    it('is refused when the added column is the only one left', () => {
      const board = history(
        aBoard(),
        [columnAdded('c-new', 'Review', 'Y')],
        [TODO, DOING, 'col-done'].map((columnId): BoardEvent => ({ type: 'ColumnRemoved', data: { columnId } })),
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('A board needs a column');
    });

    it('is refused when the removed column exists again', () => {
      const removal: BoardEvent = { type: 'ColumnRemoved', data: { columnId: DOING } };
      const board = history(aBoard(), [removal], [columnAdded(DOING, 'Doing again', 'Y')]);
      expect(unsafeReason(() => board.undo(-2))).toBe('The column exists again');
    });

    it('brings a removed column back right after the column that took its place', () => {
      const board = history(
        aBoard(),
        [{ type: 'ColumnRemoved', data: { columnId: DOING } }],
        [columnAdded('c-new', 'Review', 'W')],
      );
      const [added] = board.undo(-2);
      const position = (added?.data as { position: string }).position;
      expect(position > 'W' && position < 'X').toBe(true);
    });

    it('gives a column its old name back', () => {
      const board = history(aBoard(), [renamedColumn('Doing')]);
      expect(board.undo(-1)).toEqual([{ type: 'ColumnRenamed', data: { columnId: DOING, name: 'In progress' } }]);
    });

    it('is refused when the column was renamed again since', () => {
      const board = history(aBoard(), [renamedColumn('Doing')], [renamedColumn('Busy')]);
      expect(unsafeReason(() => board.undo(-2))).toBe('The column “Busy” was renamed again since');
    });

    it('is refused when the renamed column was removed since', () => {
      const board = history(aBoard(), [renamedColumn('Doing')], [{ type: 'ColumnRemoved', data: { columnId: DOING } }]);
      expect(unsafeReason(() => board.undo(-2))).toBe('The column “In progress” was removed since');
    });

    it('moves a column back to its old place', () => {
      const board = history(aBoard(), [movedColumn('W', 'Y')]);
      expect(board.undo(-1)).toEqual([{ type: 'ColumnMoved', data: { columnId: DOING, from: 'Y', position: 'W' } }]);
    });

    it('moves a column back right after the column that took its place', () => {
      const board = history(aBoard(), [movedColumn('W', 'Y')], [columnAdded('c-new', 'Review', 'W')]);
      const [back] = board.undo(-2);
      const position = (back?.data as { position: string }).position;
      expect(position > 'W' && position < 'X').toBe(true);
    });

    it('is refused when the column was moved again since', () => {
      const board = history(aBoard(), [movedColumn('W', 'Y')], [movedColumn('Y', 'Z')]);
      expect(unsafeReason(() => board.undo(-2))).toBe('The column “In progress” was moved again since');
    });

    it('puts the old WIP limit back', () => {
      const board = history(aBoard(), [wipLimit(2)], [wipLimit(3)]);
      expect(board.undo(-1)).toEqual([{ type: 'ColumnWipLimitSet', data: { columnId: DOING, wipLimit: 2 } }]);
    });

    it('is refused when the WIP limit was changed again since', () => {
      const board = history(aBoard(), [wipLimit(2)], [wipLimit(null)]);
      expect(unsafeReason(() => board.undo(-2))).toBe('The WIP limit of “In progress” was changed again since');
    });
  });
});
