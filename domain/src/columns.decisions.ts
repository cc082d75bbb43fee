import type { AddColumn, MoveColumn, RemoveColumn, RenameColumn, SetColumnWipLimit } from './board.commands.js';
import type { BoardEvent } from './board.events.js';
import type { BoardState } from './board.state.js';
import { requireColumn, requireWritableBoard } from './board.guards.js';
import { columnsInOrder, isInSlot, keyIn, slotFor } from './board.placement.js';
import { limits, requireText, requireWipLimit } from './board.validation.js';
import { newColumnData } from './board.decisions.js';
import { DomainError } from './errors.js';

export function addColumn(command: AddColumn, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const column = newColumnData(command.data, '');
  if (board.columns[column.columnId] !== undefined) {
    throw new DomainError('COLUMN.ALREADY_EXISTS', `Column ${column.columnId} already exists`);
  }
  const slot = slotFor(columnsInOrder(board), command.data, 'COLUMN.INVALID_ANCHOR');
  return [{ type: 'ColumnAdded', data: { ...column, position: keyIn(slot) } }];
}

export function renameColumn(command: RenameColumn, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const column = requireColumn(board, command.data.columnId);
  const name = requireText('name', command.data.name, limits.columnName);
  return name === column.name ? [] : [{ type: 'ColumnRenamed', data: { columnId: column.id, name } }];
}

export function moveColumn(command: MoveColumn, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const column = requireColumn(board, command.data.columnId);
  const slot = slotFor(columnsInOrder(board, column.id), command.data, 'COLUMN.INVALID_ANCHOR');
  if (isInSlot(column.position, slot)) return [];
  return [{ type: 'ColumnMoved', data: { columnId: column.id, from: column.position, position: keyIn(slot) } }];
}

export function setColumnWipLimit(command: SetColumnWipLimit, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const column = requireColumn(board, command.data.columnId);
  const wipLimit = requireWipLimit('wipLimit', command.data.wipLimit);
  return wipLimit === column.wipLimit ? [] : [{ type: 'ColumnWipLimitSet', data: { columnId: column.id, wipLimit } }];
}

export function removeColumn(command: RemoveColumn, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const column = requireColumn(board, command.data.columnId);
  if (Object.keys(board.columns).length === 1) throw new DomainError('COLUMN.LAST_COLUMN', 'A board needs a column');
  if (Object.values(board.tasks).some((task) => task.columnId === column.id)) {
    throw new DomainError('COLUMN.NOT_EMPTY', 'Move or delete the tasks of this column first');
  }
  return [{ type: 'ColumnRemoved', data: { columnId: column.id } }];
}
