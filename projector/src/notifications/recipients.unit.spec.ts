import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '@primetrade/domain';
import { BoardStream } from '../testing/boardEvents.testkit.js';
import { handlesOf, mentionedHandles } from './handles.js';
import { recipientsOf, summaryOf, type NotificationContext } from './recipients.js';

const ada = { userId: '00000000-0000-4000-8000-00000000000a', email: 'ada.lovelace@example.com', name: 'Ada Lovelace' };
const bob = { userId: '00000000-0000-4000-8000-00000000000b', email: 'bob@example.com', name: 'Bob' };
const cy = { userId: '00000000-0000-4000-8000-00000000000c', email: 'cy@example.com', name: 'Cy Young' };
const outsider = '00000000-0000-4000-8000-0000000000ff';
const taskId = '00000000-0000-4000-8000-000000000111';

const stream = new BoardStream({ ownerId: ada.userId });
const event = (data: BoardEvent, actorId = ada.userId) => stream.emit(data, { actorId });

const context = (overrides: Partial<NotificationContext> = {}): NotificationContext => ({
  members: [ada, bob, cy],
  task: { title: 'Write the post', createdBy: ada.userId, assigneeIds: [], commenterIds: [] },
  follows: new Map(),
  previousCommentBody: null,
  ...overrides,
});

describe('The @handle rule', () => {
  it('gives a person their e-mail local part and their name without spaces, lower case', () => {
    expect(handlesOf(ada)).toEqual(['ada.lovelace', 'adalovelace']);
    expect(handlesOf({ email: 'Bob@Example.com', name: 'bob' })).toEqual(['bob']);
  });

  it('finds mentions at the start, after spaces and punctuation, case-insensitively, without trailing dots', () => {
    expect([...mentionedHandles('@Bob, ask (@ada.lovelace). Thanks @CY.')]).toEqual(['bob', 'ada.lovelace', 'cy']);
  });

  it('does not take an e-mail address in the text for a mention', () => {
    expect([...mentionedHandles('write to bob@example.com')]).toEqual([]);
  });
});

describe('Who is notified of an event', () => {
  describe('assigned', () => {
    it('notifies a person someone else assigned', () => {
      expect(recipientsOf(event({ type: 'TaskAssigned', data: { taskId, userId: bob.userId } }), context())).toEqual([
        { userId: bob.userId, kind: 'assigned' },
      ]);
    });

    it('notifies the assignees of a new task, except its creator', () => {
      const created = stream.createTask('c1', {
        taskId,
        assigneeIds: [ada.userId, bob.userId, cy.userId],
        actorId: ada.userId,
      });
      expect(recipientsOf(created, context({ task: null }))).toEqual([
        { userId: bob.userId, kind: 'assigned' },
        { userId: cy.userId, kind: 'assigned' },
      ]);
    });

    it('never notifies whoever assigned themselves', () => {
      expect(
        recipientsOf(event({ type: 'TaskAssigned', data: { taskId, userId: bob.userId } }, bob.userId), context()),
      ).toEqual([{ userId: ada.userId, kind: 'followed' }]);
    });
  });

  describe('mentioned', () => {
    it('notifies the members a comment mentions by either handle', () => {
      const comment = event(
        { type: 'CommentAdded', data: { taskId, commentId: taskId, body: 'cc @bob and @CyYoung' } },
        ada.userId,
      );
      expect(
        recipientsOf(
          comment,
          context({ task: { title: 'T', createdBy: outsider, assigneeIds: [], commenterIds: [] } }),
        ),
      ).toEqual([
        { userId: bob.userId, kind: 'mentioned' },
        { userId: cy.userId, kind: 'mentioned' },
      ]);
    });

    it('cannot mention someone who is not a member of the board', () => {
      const comment = event({ type: 'CommentAdded', data: { taskId, commentId: taskId, body: '@bob' } });
      expect(recipientsOf(comment, context({ members: [ada, cy] }))).toEqual([]);
    });

    it('on an edit, notifies only the people the edit newly mentions', () => {
      const edit = event({
        type: 'CommentEdited',
        data: { taskId, commentId: taskId, body: '@bob.  and now @cy too' },
      });
      expect(recipientsOf(edit, context({ previousCommentBody: 'hey @Bob' }))).toEqual([
        { userId: cy.userId, kind: 'mentioned' },
      ]);
    });

    it('does not notify again when an edit mentions the same person by their other handle', () => {
      const edit = event(
        { type: 'CommentEdited', data: { taskId, commentId: taskId, body: '@adalovelace' } },
        bob.userId,
      );
      expect(recipientsOf(edit, context({ previousCommentBody: '@ada.lovelace' }))).toEqual([]);
    });
  });

  describe('followed', () => {
    it('notifies the creator, assignees and commenters of a change, not the actor', () => {
      const moved = event(
        { type: 'TaskMoved', data: { taskId, fromColumnId: 'a', fromPosition: 'a', toColumnId: 'b', position: 'b' } },
        cy.userId,
      );
      const task = { title: 'T', createdBy: ada.userId, assigneeIds: [bob.userId], commenterIds: [cy.userId] };
      expect(recipientsOf(moved, context({ task }))).toEqual([
        { userId: ada.userId, kind: 'followed' },
        { userId: bob.userId, kind: 'followed' },
      ]);
    });

    it('adds explicit followers and drops those who opted out', () => {
      const completed = event({ type: 'TaskCompleted', data: { taskId } }, bob.userId);
      const follows = new Map([
        [ada.userId, false],
        [cy.userId, true],
      ]);
      expect(recipientsOf(completed, context({ follows }))).toEqual([{ userId: cy.userId, kind: 'followed' }]);
    });

    it('does not notify a follower who is no longer a member', () => {
      const completed = event({ type: 'TaskCompleted', data: { taskId } }, bob.userId);
      expect(recipientsOf(completed, context({ members: [bob, cy] }))).toEqual([]);
    });

    it('lets the more specific kind win: an assignee who is also a follower hears "assigned" once', () => {
      const task = { title: 'T', createdBy: ada.userId, assigneeIds: [], commenterIds: [bob.userId] };
      expect(
        recipientsOf(
          event({ type: 'TaskAssigned', data: { taskId, userId: bob.userId } }, cy.userId),
          context({ task }),
        ),
      ).toEqual([
        { userId: ada.userId, kind: 'followed' },
        { userId: bob.userId, kind: 'assigned' },
      ]);
    });

    it('lets a mention win over following for a commenter', () => {
      const task = { title: 'T', createdBy: bob.userId, assigneeIds: [], commenterIds: [] };
      const comment = event({ type: 'CommentAdded', data: { taskId, commentId: taskId, body: 'see @bob' } }, cy.userId);
      expect(recipientsOf(comment, context({ task }))).toEqual([{ userId: bob.userId, kind: 'mentioned' }]);
    });

    it('notifies nobody of board-level changes or comment edits without new mentions', () => {
      expect(recipientsOf(event({ type: 'BoardRenamed', data: { name: 'x' } }), context())).toEqual([]);
      expect(
        recipientsOf(
          event({ type: 'CommentEdited', data: { taskId, commentId: taskId, body: 'typo' } }, bob.userId),
          context(),
        ),
      ).toEqual([]);
    });
  });

  it('words each kind without the actor name', () => {
    expect(summaryOf('assigned', 'TaskAssigned', 'X')).toBe('assigned you to “X”');
    expect(summaryOf('followed', 'TaskMoved', 'X')).toBe('moved “X”');
    expect(summaryOf('due_soon', null, 'X')).toBe('“X” is due within 24 hours');
  });
});
