import { describe, expect, it } from 'vitest';
import type { BoardCommand } from './board.commands.js';
import { decide } from './board.decide.js';
import {
  DOING,
  EDITOR,
  OWNER,
  STRANGER,
  TODO,
  VIEWER,
  aBoard,
  by,
  command,
  given,
  taskCreated,
} from './board.testkit.js';

/** One valid command of every type but CreateBoard, all acceptable from an owner on `history`. */
const everyCommand = (actorId: string): BoardCommand[] => [
  command('RenameBoard', { name: 'Renamed' }, actorId),
  command('ChangeBoardDescription', { description: 'New' }, actorId),
  command('ArchiveBoard', {}, actorId),
  command('RestoreBoard', {}, actorId),
  command('AddMember', { userId: 'user-new', role: 'editor' }, actorId),
  command('ChangeMemberRole', { userId: EDITOR, role: 'viewer' }, actorId),
  command('RemoveMember', { userId: EDITOR }, actorId),
  command('AddColumn', { columnId: 'col-new', name: 'Review' }, actorId),
  command('RenameColumn', { columnId: TODO, name: 'Backlog' }, actorId),
  command('MoveColumn', { columnId: TODO, afterId: DOING }, actorId),
  command('SetColumnWipLimit', { columnId: TODO, wipLimit: 3 }, actorId),
  command('RemoveColumn', { columnId: DOING }, actorId),
  command('CreateTask', { taskId: 't-new', title: 'New' }, actorId),
  command('UpdateTask', { taskId: 't1', title: 'Changed' }, actorId),
  command('MoveTask', { taskId: 't1', columnId: DOING }, actorId),
  command('CompleteTask', { taskId: 't1' }, actorId),
  command('ReopenTask', { taskId: 't-done' }, actorId),
  command('ArchiveTask', { taskId: 't1' }, actorId),
  command('RestoreTask', { taskId: 't-archived' }, actorId),
  command('DeleteTask', { taskId: 't1' }, actorId),
  command('AddComment', { taskId: 't1', commentId: 'c-new', body: 'Hi' }, actorId),
  command('EditComment', { taskId: 't1', commentId: 'c1', body: 'Edited' }, actorId),
  command('DeleteComment', { taskId: 't1', commentId: 'c1' }, actorId),
];

const history = [
  ...aBoard(),
  taskCreated('t1'),
  by(OWNER, { type: 'CommentAdded', data: { taskId: 't1', commentId: 'c1', body: 'First' } } as const),
  taskCreated('t-done', { position: 'W' }),
  { type: 'TaskCompleted', data: { taskId: 't-done' } } as const,
  taskCreated('t-archived', { position: 'X' }),
  { type: 'TaskArchived', data: { taskId: 't-archived' } } as const,
];
const ownerOnly = new Set(['AddMember', 'ChangeMemberRole', 'RemoveMember', 'ArchiveBoard', 'RestoreBoard']);
const name = (cmd: BoardCommand) => cmd.type;

describe('Board access', () => {
  describe('when the owner sends each command', () => {
    it.each(
      everyCommand(OWNER)
        .filter((cmd) => cmd.type !== 'RestoreBoard')
        .map((cmd) => [name(cmd), cmd] as const),
    )('accepts %s', (_type, cmd) => {
      expect(decide(cmd, given(...history).state).length).toBeGreaterThan(0);
    });
  });

  describe('when the board does not exist', () => {
    it.each(everyCommand(OWNER).map((cmd) => [name(cmd), cmd] as const))('refuses %s as not found', (_type, cmd) => {
      given().when(cmd).thenThrows('BOARD.NOT_FOUND');
    });
  });

  describe('when the actor is not a member', () => {
    it.each(everyCommand(STRANGER).map((cmd) => [name(cmd), cmd] as const))('hides the board from %s', (_type, cmd) => {
      given(...history)
        .when(cmd)
        .thenThrows('BOARD.NOT_FOUND');
    });

    it('hides an archived board too', () => {
      given(...history, { type: 'BoardArchived', data: {} })
        .when(command('RestoreBoard', {}, STRANGER))
        .thenThrows('BOARD.NOT_FOUND');
    });
  });

  describe('when the actor is a viewer', () => {
    it.each(everyCommand(VIEWER).map((cmd) => [name(cmd), cmd] as const))('forbids %s', (_type, cmd) => {
      given(...history)
        .when(cmd)
        .thenThrows('AUTH.FORBIDDEN');
    });
  });

  describe('when the actor is an editor', () => {
    const editorCommands = everyCommand(EDITOR);
    it.each(editorCommands.filter((cmd) => ownerOnly.has(cmd.type)).map((cmd) => [name(cmd), cmd] as const))(
      'forbids the owner-only %s',
      (_type, cmd) => {
        given(...history, { type: 'BoardArchived', data: {} })
          .when(cmd)
          .thenThrows('AUTH.FORBIDDEN');
        given(...history)
          .when(cmd)
          .thenThrows('AUTH.FORBIDDEN');
      },
    );
    it.each(
      editorCommands
        .filter((cmd) => !ownerOnly.has(cmd.type) && !cmd.type.endsWith('Comment'))
        .map((cmd) => [name(cmd), cmd] as const),
    )('accepts %s', (_type, cmd) => {
      expect(decide(cmd, given(...history).state).length).toBeGreaterThan(0);
    });
  });

  describe('when the board is archived', () => {
    const archived = [...history, { type: 'BoardArchived', data: {} } as const];
    it.each(
      everyCommand(OWNER)
        .filter((cmd) => cmd.type !== 'RestoreBoard')
        .map((cmd) => [name(cmd), cmd] as const),
    )('refuses %s', (_type, cmd) => {
      given(...archived)
        .when(cmd)
        .thenThrows('BOARD.ARCHIVED');
    });
  });
});
