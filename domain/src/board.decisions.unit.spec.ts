import { describe, expect, it } from 'vitest';
import type { NewColumn } from './board.commands.js';
import { BOARD_ID, EDITOR, OWNER, aBoard, command, given, positionBetween } from './board.testkit.js';

const defaultColumns = [
  { columnId: 'c1', name: 'To do' },
  { columnId: 'c2', name: 'In progress' },
  { columnId: 'c3', name: 'Done', isDone: true },
];
const createBoard = (data: Partial<{ name: string; description: string; columns: NewColumn[] }> = {}) =>
  command('CreateBoard', { boardId: BOARD_ID, name: 'Team', columns: defaultColumns, ...data }, OWNER);

describe('Board', () => {
  describe('CreateBoard', () => {
    it('creates the board, makes the creator its owner and adds the columns in order', () => {
      const events = given()
        .when(createBoard({ name: '  Team  ' }))
        .run();
      expect(events).toEqual([
        { type: 'BoardCreated', data: { boardId: BOARD_ID, name: 'Team', description: '' } },
        { type: 'MemberAdded', data: { userId: OWNER, role: 'owner' } },
        {
          type: 'ColumnAdded',
          data: { columnId: 'c1', name: 'To do', position: positionBetween(null, null), isDone: false, wipLimit: null },
        },
        {
          type: 'ColumnAdded',
          data: {
            columnId: 'c2',
            name: 'In progress',
            position: positionBetween(null, null),
            isDone: false,
            wipLimit: null,
          },
        },
        {
          type: 'ColumnAdded',
          data: { columnId: 'c3', name: 'Done', position: positionBetween(null, null), isDone: true, wipLimit: null },
        },
      ]);
      const positions = events.flatMap((event) => (event.type === 'ColumnAdded' ? [event.data.position] : []));
      expect(positions).toEqual([...new Set(positions)].sort());
    });

    it('keeps the description and a column WIP limit', () => {
      const events = given()
        .when(createBoard({ description: 'Our work', columns: [{ columnId: 'c1', name: 'Only', wipLimit: 4 }] }))
        .run();
      expect(events[0]).toEqual({
        type: 'BoardCreated',
        data: { boardId: BOARD_ID, name: 'Team', description: 'Our work' },
      });
      expect(events[2]).toMatchObject({ type: 'ColumnAdded', data: { wipLimit: 4, isDone: false } });
    });

    describe('when the board already exists', () => {
      it('refuses', () =>
        given(...aBoard())
          .when(createBoard())
          .thenThrows('BOARD.ALREADY_EXISTS'));
    });

    describe('when the input is invalid', () => {
      it('refuses a board without columns', () =>
        given()
          .when(createBoard({ columns: [] }))
          .thenThrows('VALIDATION.FAILED', 'columns'));
      it('refuses a blank name', () =>
        given()
          .when(createBoard({ name: '   ' }))
          .thenThrows('VALIDATION.FAILED', 'name'));
      it('refuses a name over 100 characters', () =>
        given()
          .when(createBoard({ name: 'x'.repeat(101) }))
          .thenThrows('VALIDATION.FAILED', 'name'));
      it('accepts a name of exactly 100 characters', () =>
        expect(
          given()
            .when(createBoard({ name: 'x'.repeat(100) }))
            .run(),
        ).toHaveLength(5));
      it('refuses a description over 10000 characters', () =>
        given()
          .when(createBoard({ description: 'x'.repeat(10_001) }))
          .thenThrows('VALIDATION.FAILED', 'description'));
      it('refuses a blank column name', () =>
        given()
          .when(createBoard({ columns: [{ columnId: 'c1', name: ' ' }] }))
          .thenThrows('VALIDATION.FAILED', 'columns[0].name'));
      it('refuses duplicate column ids', () =>
        given()
          .when(
            createBoard({
              columns: [
                { columnId: 'c1', name: 'A' },
                { columnId: 'c1', name: 'B' },
              ],
            }),
          )
          .thenThrows('VALIDATION.FAILED', 'columns'));
      it('refuses a column WIP limit out of range', () =>
        given()
          .when(createBoard({ columns: [{ columnId: 'c1', name: 'A', wipLimit: 0 }] }))
          .thenThrows('VALIDATION.FAILED', 'columns[0].wipLimit'));
    });
  });

  describe('RenameBoard', () => {
    it('renames the board, trimmed', () =>
      given(...aBoard())
        .when(command('RenameBoard', { name: ' Platform ' }, EDITOR))
        .then([{ type: 'BoardRenamed', data: { name: 'Platform' } }]));
    it('does nothing for the same name', () =>
      given(...aBoard())
        .when(command('RenameBoard', { name: 'Team' }))
        .then([]));
    it('refuses a blank name', () =>
      given(...aBoard())
        .when(command('RenameBoard', { name: '' }))
        .thenThrows('VALIDATION.FAILED', 'name'));
  });

  describe('ChangeBoardDescription', () => {
    it('changes the description', () =>
      given(...aBoard())
        .when(command('ChangeBoardDescription', { description: 'Q3 roadmap' }))
        .then([{ type: 'BoardDescriptionChanged', data: { description: 'Q3 roadmap' } }]));
    it('does nothing for the same description', () =>
      given(...aBoard())
        .when(command('ChangeBoardDescription', { description: '' }))
        .then([]));
    it('refuses a description over 10000 characters', () =>
      given(...aBoard())
        .when(command('ChangeBoardDescription', { description: 'x'.repeat(10_001) }))
        .thenThrows('VALIDATION.FAILED', 'description'));
  });

  describe('ArchiveBoard', () => {
    it('archives the board', () =>
      given(...aBoard())
        .when(command('ArchiveBoard', {}))
        .then([{ type: 'BoardArchived', data: {} }]));
    describe('when the board is already archived', () => {
      it('refuses', () =>
        given(...aBoard(), { type: 'BoardArchived', data: {} })
          .when(command('ArchiveBoard', {}))
          .thenThrows('BOARD.ARCHIVED'));
    });
  });

  describe('RestoreBoard', () => {
    it('restores an archived board', () =>
      given(...aBoard(), { type: 'BoardArchived', data: {} })
        .when(command('RestoreBoard', {}))
        .then([{ type: 'BoardRestored', data: {} }]));
    describe('when the board is active', () => {
      it('refuses', () =>
        given(...aBoard())
          .when(command('RestoreBoard', {}))
          .thenThrows('BOARD.NOT_ARCHIVED'));
    });
  });
});
