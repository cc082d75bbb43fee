import { describe, it } from 'vitest';
import {
  DOING,
  DONE,
  TODO,
  aBoard,
  columnAdded,
  command,
  given,
  positionBetween,
  taskCreated,
} from './board.testkit.js';

describe('Board columns', () => {
  describe('AddColumn', () => {
    it('adds the column at the end by default', () =>
      given(...aBoard())
        .when(command('AddColumn', { columnId: 'col-review', name: ' Review ' }))
        .then([
          {
            type: 'ColumnAdded',
            data: {
              columnId: 'col-review',
              name: 'Review',
              position: positionBetween('X', null),
              isDone: false,
              wipLimit: null,
            },
          },
        ]));
    it('adds it before a column', () =>
      given(...aBoard())
        .when(command('AddColumn', { columnId: 'col-review', name: 'Review', beforeId: DONE, wipLimit: 2 }))
        .then([
          {
            type: 'ColumnAdded',
            data: {
              columnId: 'col-review',
              name: 'Review',
              position: positionBetween('W', 'X'),
              isDone: false,
              wipLimit: 2,
            },
          },
        ]));
    it('adds it after a column', () =>
      given(...aBoard())
        .when(command('AddColumn', { columnId: 'col-review', name: 'Review', afterId: TODO, isDone: true }))
        .then([
          {
            type: 'ColumnAdded',
            data: {
              columnId: 'col-review',
              name: 'Review',
              position: positionBetween('V', 'W'),
              isDone: true,
              wipLimit: null,
            },
          },
        ]));
    it('refuses an existing id', () =>
      given(...aBoard())
        .when(command('AddColumn', { columnId: TODO, name: 'Again' }))
        .thenThrows('COLUMN.ALREADY_EXISTS'));
    it('refuses an unknown anchor', () =>
      given(...aBoard())
        .when(command('AddColumn', { columnId: 'c', name: 'C', afterId: 'col-nowhere' }))
        .thenThrows('COLUMN.INVALID_ANCHOR'));
    it('refuses a name over 100 characters', () =>
      given(...aBoard())
        .when(command('AddColumn', { columnId: 'c', name: 'x'.repeat(101) }))
        .thenThrows('VALIDATION.FAILED', 'name'));
    it('refuses a WIP limit that is not an integer from 1 to 1000', () => {
      for (const wipLimit of [0, 1001, 2.5, -1]) {
        given(...aBoard())
          .when(command('AddColumn', { columnId: 'c', name: 'C', wipLimit }))
          .thenThrows('VALIDATION.FAILED', 'wipLimit');
      }
    });
  });

  describe('RenameColumn', () => {
    it('renames the column', () =>
      given(...aBoard())
        .when(command('RenameColumn', { columnId: TODO, name: 'Backlog' }))
        .then([{ type: 'ColumnRenamed', data: { columnId: TODO, name: 'Backlog' } }]));
    it('does nothing for the same name', () =>
      given(...aBoard())
        .when(command('RenameColumn', { columnId: TODO, name: 'To do' }))
        .then([]));
    it('refuses an unknown column', () =>
      given(...aBoard())
        .when(command('RenameColumn', { columnId: 'col-x', name: 'X' }))
        .thenThrows('COLUMN.NOT_FOUND'));
    it('refuses a blank name', () =>
      given(...aBoard())
        .when(command('RenameColumn', { columnId: TODO, name: ' ' }))
        .thenThrows('VALIDATION.FAILED', 'name'));
  });

  describe('MoveColumn', () => {
    it('moves the column after another, recording where it was', () =>
      given(...aBoard())
        .when(command('MoveColumn', { columnId: TODO, afterId: DONE }))
        .then([{ type: 'ColumnMoved', data: { columnId: TODO, from: 'V', position: positionBetween('X', null) } }]));
    it('moves it before another', () =>
      given(...aBoard())
        .when(command('MoveColumn', { columnId: DONE, beforeId: TODO }))
        .then([{ type: 'ColumnMoved', data: { columnId: DONE, from: 'X', position: positionBetween(null, 'V') } }]));
    it('does nothing when the column is already there', () =>
      given(...aBoard())
        .when(command('MoveColumn', { columnId: DOING, afterId: TODO }))
        .then([]));
    it('refuses an unknown column', () =>
      given(...aBoard())
        .when(command('MoveColumn', { columnId: 'col-x' }))
        .thenThrows('COLUMN.NOT_FOUND'));
    it('refuses an unknown anchor, or itself as the anchor', () => {
      given(...aBoard())
        .when(command('MoveColumn', { columnId: TODO, beforeId: 'col-x' }))
        .thenThrows('COLUMN.INVALID_ANCHOR');
      given(...aBoard())
        .when(command('MoveColumn', { columnId: TODO, beforeId: TODO }))
        .thenThrows('COLUMN.INVALID_ANCHOR');
    });
  });

  describe('SetColumnWipLimit', () => {
    it('sets the limit', () =>
      given(...aBoard())
        .when(command('SetColumnWipLimit', { columnId: DOING, wipLimit: 1000 }))
        .then([{ type: 'ColumnWipLimitSet', data: { columnId: DOING, wipLimit: 1000 } }]));
    it('clears the limit', () =>
      given(...aBoard().slice(0, 2), columnAdded(DOING, 'Doing', 'W', { wipLimit: 2 }))
        .when(command('SetColumnWipLimit', { columnId: DOING, wipLimit: null }))
        .then([{ type: 'ColumnWipLimitSet', data: { columnId: DOING, wipLimit: null } }]));
    it('does nothing for the same limit', () =>
      given(...aBoard())
        .when(command('SetColumnWipLimit', { columnId: DOING, wipLimit: null }))
        .then([]));
    it('refuses an unknown column', () =>
      given(...aBoard())
        .when(command('SetColumnWipLimit', { columnId: 'col-x', wipLimit: 1 }))
        .thenThrows('COLUMN.NOT_FOUND'));
    it('refuses a limit out of range', () =>
      given(...aBoard())
        .when(command('SetColumnWipLimit', { columnId: DOING, wipLimit: 1001 }))
        .thenThrows('VALIDATION.FAILED', 'wipLimit'));
  });

  describe('RemoveColumn', () => {
    it('removes an empty column', () =>
      given(...aBoard())
        .when(command('RemoveColumn', { columnId: DOING }))
        .then([{ type: 'ColumnRemoved', data: { columnId: DOING } }]));
    it('refuses an unknown column', () =>
      given(...aBoard())
        .when(command('RemoveColumn', { columnId: 'col-x' }))
        .thenThrows('COLUMN.NOT_FOUND'));
    describe('when the column holds a task', () => {
      it('refuses', () =>
        given(...aBoard(), taskCreated('t1', { columnId: DOING }))
          .when(command('RemoveColumn', { columnId: DOING }))
          .thenThrows('COLUMN.NOT_EMPTY'));
      it('refuses even if the task is archived', () =>
        given(...aBoard(), taskCreated('t1', { columnId: DOING }), { type: 'TaskArchived', data: { taskId: 't1' } })
          .when(command('RemoveColumn', { columnId: DOING }))
          .thenThrows('COLUMN.NOT_EMPTY'));
    });
    describe('when it is the last column', () => {
      it('refuses', () =>
        given(
          ...aBoard(),
          { type: 'ColumnRemoved', data: { columnId: DOING } },
          { type: 'ColumnRemoved', data: { columnId: DONE } },
        )
          .when(command('RemoveColumn', { columnId: TODO }))
          .thenThrows('COLUMN.LAST_COLUMN'));
    });
  });
});
