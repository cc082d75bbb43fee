import { describe, it } from 'vitest';
import { EDITOR, OWNER, aBoard, by, command, given, taskCreated } from './board.testkit.js';

const withComments = [
  ...aBoard(),
  taskCreated('t1'),
  by(EDITOR, { type: 'CommentAdded', data: { taskId: 't1', commentId: 'c-editor', body: 'Editor says' } } as const),
  by(OWNER, { type: 'CommentAdded', data: { taskId: 't1', commentId: 'c-owner', body: 'Owner says' } } as const),
];
const editorCommentOf = (type: 'EditComment' | 'DeleteComment') =>
  type === 'EditComment'
    ? command('EditComment', { taskId: 't1', commentId: 'c-editor', body: 'Edited' }, EDITOR)
    : command('DeleteComment', { taskId: 't1', commentId: 'c-editor' }, EDITOR);

describe('Comments', () => {
  describe('AddComment', () => {
    it('adds the comment, trimmed', () =>
      given(...withComments)
        .when(command('AddComment', { taskId: 't1', commentId: 'c-new', body: ' Looks good ' }, EDITOR))
        .then([{ type: 'CommentAdded', data: { taskId: 't1', commentId: 'c-new', body: 'Looks good' } }]));
    it('refuses an existing id', () =>
      given(...withComments)
        .when(command('AddComment', { taskId: 't1', commentId: 'c-owner', body: 'Again' }))
        .thenThrows('COMMENT.ALREADY_EXISTS'));
    it('refuses an unknown task', () =>
      given(...withComments)
        .when(command('AddComment', { taskId: 't-x', commentId: 'c', body: 'Hi' }))
        .thenThrows('TASK.NOT_FOUND'));
    it('refuses an empty body or one over 5000 characters', () => {
      given(...withComments)
        .when(command('AddComment', { taskId: 't1', commentId: 'c', body: '  ' }))
        .thenThrows('VALIDATION.FAILED', 'body');
      given(...withComments)
        .when(command('AddComment', { taskId: 't1', commentId: 'c', body: 'x'.repeat(5001) }))
        .thenThrows('VALIDATION.FAILED', 'body');
    });
  });

  describe('EditComment', () => {
    it('lets the author edit', () =>
      given(...withComments)
        .when(editorCommentOf('EditComment'))
        .then([{ type: 'CommentEdited', data: { taskId: 't1', commentId: 'c-editor', body: 'Edited' } }]));
    it('does nothing for the same body', () =>
      given(...withComments)
        .when(command('EditComment', { taskId: 't1', commentId: 'c-editor', body: 'Editor says' }, EDITOR))
        .then([]));
    it('refuses anyone else, even an owner', () =>
      given(...withComments)
        .when(command('EditComment', { taskId: 't1', commentId: 'c-editor', body: 'Mine now' }, OWNER))
        .thenThrows('COMMENT.NOT_AUTHOR'));
    it('refuses an unknown comment', () =>
      given(...withComments)
        .when(command('EditComment', { taskId: 't1', commentId: 'c-x', body: 'X' }, EDITOR))
        .thenThrows('COMMENT.NOT_FOUND'));
    it('refuses a body over 5000 characters', () =>
      given(...withComments)
        .when(command('EditComment', { taskId: 't1', commentId: 'c-editor', body: 'x'.repeat(5001) }, EDITOR))
        .thenThrows('VALIDATION.FAILED', 'body'));
  });

  describe('DeleteComment', () => {
    it('lets the author delete', () =>
      given(...withComments)
        .when(editorCommentOf('DeleteComment'))
        .then([{ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c-editor' } }]));
    it('lets a board owner delete any comment', () =>
      given(...withComments)
        .when(command('DeleteComment', { taskId: 't1', commentId: 'c-editor' }, OWNER))
        .then([{ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c-editor' } }]));
    it('refuses an editor deleting someone else’s comment', () =>
      given(...withComments)
        .when(command('DeleteComment', { taskId: 't1', commentId: 'c-owner' }, EDITOR))
        .thenThrows('COMMENT.NOT_AUTHOR'));
    it('refuses an unknown comment', () =>
      given(...withComments)
        .when(command('DeleteComment', { taskId: 't1', commentId: 'c-x' }))
        .thenThrows('COMMENT.NOT_FOUND'));
    it('forgets a deleted comment', () =>
      given(...withComments, { type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c-owner' } })
        .when(command('DeleteComment', { taskId: 't1', commentId: 'c-owner' }))
        .thenThrows('COMMENT.NOT_FOUND'));
  });
});
