import type {
  ArchiveBoard,
  ChangeBoardDescription,
  CreateBoard,
  NewColumn,
  RenameBoard,
  RestoreBoard,
} from './board.commands.js';
import type { BoardEvent, ColumnAdded } from './board.events.js';
import type { BoardState } from './board.state.js';
import { requireBoard, requireRole, requireWritableBoard } from './board.guards.js';
import { keysAfter } from './position.js';
import { DomainError } from './errors.js';
import { invalid, limits, requireOptionalText, requireText, requireWipLimit } from './board.validation.js';

/** A new column's data, validated; `field` names it in errors (`columns[1]` or the command's data). */
export function newColumnData(column: NewColumn, field: string): Omit<ColumnAdded['data'], 'position'> {
  return {
    columnId: requireText(`${field}columnId`, column.columnId, 200),
    name: requireText(`${field}name`, column.name, limits.columnName),
    isDone: column.isDone ?? false,
    wipLimit: requireWipLimit(`${field}wipLimit`, column.wipLimit ?? null),
  };
}

export function createBoard(command: CreateBoard, state: BoardState): BoardEvent[] {
  if (state.status !== 'initial') throw new DomainError('BOARD.ALREADY_EXISTS', 'The board already exists');
  const { columns } = command.data;
  const boardId = requireText('boardId', command.data.boardId, 200);
  const name = requireText('name', command.data.name, limits.boardName);
  const description = requireOptionalText('description', command.data.description ?? '', limits.description);
  const listed: unknown = columns;
  if (!Array.isArray(listed) || columns.length === 0) throw invalid('columns', 'a board needs at least one column');
  const columnData = columns.map((column, index) => newColumnData(column, `columns[${index}].`));
  if (new Set(columnData.map((column) => column.columnId)).size !== columnData.length) {
    throw invalid('columns', 'column ids must be unique');
  }
  const positions = keysAfter(null, columnData.length);
  return [
    { type: 'BoardCreated', data: { boardId, name, description } },
    { type: 'MemberAdded', data: { userId: command.metadata.actorId, role: 'owner' } },
    ...columnData.map((column, index): ColumnAdded => ({
      type: 'ColumnAdded',
      data: { ...column, position: positions[index] ?? '' },
    })),
  ];
}

export function renameBoard(command: RenameBoard, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const name = requireText('name', command.data.name, limits.boardName);
  return name === board.name ? [] : [{ type: 'BoardRenamed', data: { name } }];
}

export function changeBoardDescription(command: ChangeBoardDescription, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata);
  const description = requireOptionalText('description', command.data.description, limits.description);
  return description === board.description ? [] : [{ type: 'BoardDescriptionChanged', data: { description } }];
}

export function archiveBoard(command: ArchiveBoard, state: BoardState): BoardEvent[] {
  requireWritableBoard(state, command.metadata, 'owner');
  return [{ type: 'BoardArchived', data: {} }];
}

export function restoreBoard(command: RestoreBoard, state: BoardState): BoardEvent[] {
  const board = requireBoard(state, command.metadata.actorId);
  requireRole(board, command.metadata.actorId, 'owner');
  if (board.status !== 'archived') throw new DomainError('BOARD.NOT_ARCHIVED', 'The board is not archived');
  return [{ type: 'BoardRestored', data: {} }];
}
