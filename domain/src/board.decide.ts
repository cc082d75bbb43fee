import type { BoardCommand } from './board.commands.js';
import type { BoardEvent } from './board.events.js';
import type { BoardState } from './board.state.js';
import { archiveBoard, changeBoardDescription, createBoard, renameBoard, restoreBoard } from './board.decisions.js';
import {
  addMember,
  appointOwnerForErasure,
  changeMemberRole,
  removeErasedMember,
  removeMember,
} from './members.decisions.js';
import { addColumn, moveColumn, removeColumn, renameColumn, setColumnWipLimit } from './columns.decisions.js';
import {
  archiveTask,
  completeTask,
  createTask,
  deleteTask,
  moveTask,
  reopenTask,
  restoreTask,
  updateTask,
} from './tasks.decisions.js';
import { DomainError } from './errors.js';
import { addComment, deleteComment, editComment } from './comments.decisions.js';
import { undoChange } from './undo.decisions.js';

/** What `command` amounts to on `state`: the events to append, or a thrown `DomainError`. Pure. */
export function decide(command: BoardCommand, state: BoardState): BoardEvent[] {
  switch (command.type) {
    case 'CreateBoard':
      return createBoard(command, state);
    case 'RenameBoard':
      return renameBoard(command, state);
    case 'ChangeBoardDescription':
      return changeBoardDescription(command, state);
    case 'ArchiveBoard':
      return archiveBoard(command, state);
    case 'RestoreBoard':
      return restoreBoard(command, state);
    case 'AddMember':
      return addMember(command, state);
    case 'ChangeMemberRole':
      return changeMemberRole(command, state);
    case 'RemoveMember':
      return removeMember(command, state);
    case 'RemoveErasedMember':
      return removeErasedMember(command, state);
    case 'AppointOwnerForErasure':
      return appointOwnerForErasure(command, state);
    case 'AddColumn':
      return addColumn(command, state);
    case 'RenameColumn':
      return renameColumn(command, state);
    case 'MoveColumn':
      return moveColumn(command, state);
    case 'SetColumnWipLimit':
      return setColumnWipLimit(command, state);
    case 'RemoveColumn':
      return removeColumn(command, state);
    case 'CreateTask':
      return createTask(command, state);
    case 'UpdateTask':
      return updateTask(command, state);
    case 'MoveTask':
      return moveTask(command, state);
    case 'CompleteTask':
      return completeTask(command, state);
    case 'ReopenTask':
      return reopenTask(command, state);
    case 'ArchiveTask':
      return archiveTask(command, state);
    case 'RestoreTask':
      return restoreTask(command, state);
    case 'DeleteTask':
      return deleteTask(command, state);
    case 'AddComment':
      return addComment(command, state);
    case 'EditComment':
      return editComment(command, state);
    case 'DeleteComment':
      return deleteComment(command, state);
    case 'UndoChange':
      return undoChange(command, state);
    default: {
      const unknown: never = command;
      throw new DomainError('VALIDATION.FAILED', `Unknown command ${(unknown as { type: string }).type}`);
    }
  }
}
