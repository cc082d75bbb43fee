import { describe, expect, it } from 'vitest';
import type { BoardEvent } from './board.events.js';
import { DOING, DONE, EDITOR, OWNER, TODO, aBoard, by, taskCreated, thrownBy } from './board.testkit.js';
import { history, taskIn } from './undo.testkit.js';

const t1 = taskCreated('t1', {
  title: 'Fix login',
  assigneeIds: [EDITOR],
  labels: ['bug'],
  dueDate: '2026-04-01T00:00:00.000Z',
  description: 'Steps',
});
const comment = (type: 'CommentAdded' | 'CommentEdited', body: string, commentId = 'c1'): BoardEvent => ({
  type,
  data: { taskId: 't1', commentId, body },
});
const on = (type: 'TaskCompleted' | 'TaskReopened' | 'TaskArchived' | 'TaskRestored' | 'TaskDeleted'): BoardEvent => ({
  type,
  data: { taskId: 't1' },
});
const moved = (from: string, to: string, position = 'V', fromPosition = 'V'): BoardEvent => ({
  type: 'TaskMoved',
  data: { taskId: 't1', fromColumnId: from, fromPosition, toColumnId: to, position },
});
const wipLimit = (columnId: string, limit: number | null): BoardEvent => ({
  type: 'ColumnWipLimitSet',
  data: { columnId, wipLimit: limit },
});
const unsafeReason = (run: () => unknown) => {
  const error = thrownBy(run);
  expect(error.code).toBe('UNDO.UNSAFE');
  return error.message;
};

describe('Undo of a task change', () => {
  describe('of a field', () => {
    it('sets the description back', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskDescriptionChanged', data: { taskId: 't1', description: 'More steps' } }],
      );
      expect(board.undo(-1)).toEqual([
        { type: 'TaskDescriptionChanged', data: { taskId: 't1', description: 'Steps' } },
      ]);
    });

    it('is refused when the description was changed again since', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskDescriptionChanged', data: { taskId: 't1', description: 'A' } }],
        [{ type: 'TaskDescriptionChanged', data: { taskId: 't1', description: 'B' } }],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('The description of “Fix login” was changed again since');
    });

    it('sets the priority back', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'urgent' } }],
      );
      expect(board.undo(-1)).toEqual([{ type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'medium' } }]);
    });

    it('is refused when the priority was changed again since', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'urgent' } }],
        [{ type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'low' } }],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('The priority of “Fix login” was changed again since');
    });

    it('sets the due date back', () => {
      const board = history(aBoard(), [t1], [{ type: 'TaskDueDateChanged', data: { taskId: 't1', dueDate: null } }]);
      expect(board.undo(-1)).toEqual([
        { type: 'TaskDueDateChanged', data: { taskId: 't1', dueDate: '2026-04-01T00:00:00.000Z' } },
      ]);
    });

    it('is refused when the due date was changed again since', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskDueDateChanged', data: { taskId: 't1', dueDate: null } }],
        [{ type: 'TaskDueDateChanged', data: { taskId: 't1', dueDate: '2026-05-01T00:00:00.000Z' } }],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('The due date of “Fix login” was changed again since');
    });

    it('is refused when the task was deleted since', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Fix sign-in' } }],
        [on('TaskDeleted')],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('“Fix login” was deleted since');
    });

    it('is refused while the task is archived', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Fix sign-in' } }],
        [on('TaskArchived')],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('“Fix login” is archived now; restore it first');
    });
  });

  describe('of an assignee or label', () => {
    it('unassigns someone the change assigned', () => {
      const board = history(aBoard(), [t1], [{ type: 'TaskAssigned', data: { taskId: 't1', userId: OWNER } }]);
      expect(board.undo(-1)).toEqual([{ type: 'TaskUnassigned', data: { taskId: 't1', userId: OWNER } }]);
    });

    it('is refused when the assignee was unassigned since', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskAssigned', data: { taskId: 't1', userId: OWNER } }],
        [{ type: 'TaskUnassigned', data: { taskId: 't1', userId: OWNER } }],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('user user-owner was unassigned from “Fix login” since');
    });

    it('assigns someone the change unassigned', () => {
      const board = history(aBoard(), [t1], [{ type: 'TaskUnassigned', data: { taskId: 't1', userId: EDITOR } }]);
      expect(board.undo(-1)).toEqual([{ type: 'TaskAssigned', data: { taskId: 't1', userId: EDITOR } }]);
    });

    it('is refused when the unassigned person was assigned again since', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskUnassigned', data: { taskId: 't1', userId: EDITOR } }],
        [{ type: 'TaskAssigned', data: { taskId: 't1', userId: EDITOR } }],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('user user-editor was assigned to “Fix login” again since');
    });

    it('is refused when the unassigned person has left the board since', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskUnassigned', data: { taskId: 't1', userId: EDITOR } }],
        [{ type: 'MemberRemoved', data: { userId: EDITOR } }],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('user user-editor is no longer a member');
    });

    it('takes off a label the change put on, and puts back one it took off', () => {
      const added = history(aBoard(), [t1], [{ type: 'TaskLabelAdded', data: { taskId: 't1', label: 'ui' } }]);
      expect(added.undo(-1)).toEqual([{ type: 'TaskLabelRemoved', data: { taskId: 't1', label: 'ui' } }]);
      const removed = history(aBoard(), [t1], [{ type: 'TaskLabelRemoved', data: { taskId: 't1', label: 'bug' } }]);
      expect(removed.undo(-1)).toEqual([{ type: 'TaskLabelAdded', data: { taskId: 't1', label: 'bug' } }]);
    });

    it('is refused when the label was taken off since, or put back since', () => {
      const added = history(
        aBoard(),
        [t1],
        [{ type: 'TaskLabelAdded', data: { taskId: 't1', label: 'ui' } }],
        [{ type: 'TaskLabelRemoved', data: { taskId: 't1', label: 'ui' } }],
      );
      expect(unsafeReason(() => added.undo(-2))).toBe('The label “ui” was removed from “Fix login” since');
      const removed = history(
        aBoard(),
        [t1],
        [{ type: 'TaskLabelRemoved', data: { taskId: 't1', label: 'bug' } }],
        [{ type: 'TaskLabelAdded', data: { taskId: 't1', label: 'bug' } }],
      );
      expect(unsafeReason(() => removed.undo(-2))).toBe('The label “bug” was put back on “Fix login” since');
    });
  });

  describe('of a completion, reopening, archiving or restoring', () => {
    it('reopens a task the change completed', () => {
      const board = history(aBoard(), [t1], [on('TaskCompleted')]);
      expect(board.undo(-1)).toEqual([{ type: 'TaskReopened', data: { taskId: 't1' } }]);
    });

    it('is refused when the completed task was reopened since', () => {
      const board = history(aBoard(), [t1], [on('TaskCompleted')], [on('TaskReopened')]);
      expect(unsafeReason(() => board.undo(-2))).toBe('“Fix login” was reopened since');
    });

    it('completes a reopened task again with the completion time it had', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ ...on('TaskCompleted'), occurredAt: '2026-02-10T08:00:00.000Z' }],
        [on('TaskReopened')],
      );
      expect(board.undo(-1)).toEqual([
        { type: 'TaskCompleted', data: { taskId: 't1', completedAt: '2026-02-10T08:00:00.000Z' } },
      ]);
      expect(taskIn(board.after(board.undo(-1)), 't1')).toMatchObject({
        status: 'completed',
        completedAt: '2026-02-10T08:00:00.000Z',
      });
    });

    it('is refused when the reopened task was completed again since', () => {
      const board = history(aBoard(), [t1], [on('TaskCompleted')], [on('TaskReopened')], [on('TaskCompleted')]);
      expect(unsafeReason(() => board.undo(-2))).toBe('“Fix login” was completed again since');
    });

    it('restores a task the change archived, and archives one it restored', () => {
      const archived = history(aBoard(), [t1], [on('TaskArchived')]);
      expect(archived.undo(-1)).toEqual([{ type: 'TaskRestored', data: { taskId: 't1' } }]);
      const restored = history(aBoard(), [t1], [on('TaskArchived')], [on('TaskRestored')]);
      expect(restored.undo(-1)).toEqual([{ type: 'TaskArchived', data: { taskId: 't1' } }]);
    });

    it('is refused when the archived task was restored since', () => {
      const board = history(aBoard(), [t1], [on('TaskArchived')], [on('TaskRestored')]);
      expect(unsafeReason(() => board.undo(-2))).toBe('“Fix login” was restored or deleted since');
    });

    it('is refused when the restored task was archived again or deleted since', () => {
      const archivedAgain = history(aBoard(), [t1], [on('TaskArchived')], [on('TaskRestored')], [on('TaskArchived')]);
      expect(unsafeReason(() => archivedAgain.undo(-2))).toBe('“Fix login” was archived or deleted since');
      const deleted = history(aBoard(), [t1], [on('TaskArchived')], [on('TaskRestored')], [on('TaskDeleted')]);
      expect(unsafeReason(() => deleted.undo(-2))).toBe('“Fix login” was archived or deleted since');
    });
  });

  describe('of a move', () => {
    it('is refused when the column it came from is at its WIP limit now', () => {
      const board = history(aBoard(), [t1], [moved(TODO, DOING)], [wipLimit(TODO, 1)], [taskCreated('t2')]);
      expect(thrownBy(() => board.undo(-3)).code).toBe('COLUMN.WIP_LIMIT_REACHED');
    });

    it('is refused when the card was moved again within the column it went to', () => {
      const board = history(aBoard(), [t1], [moved(TODO, DOING)], [moved(DOING, DOING, 'W')]);
      expect(unsafeReason(() => board.undo(-2))).toBe('“Fix login” was moved again since');
    });

    it('is refused when the card was moved on to another column, even to the same place', () => {
      const board = history(aBoard(), [t1], [moved(TODO, DOING)], [moved(DOING, DONE)]);
      expect(unsafeReason(() => board.undo(-2))).toBe('“Fix login” was moved again since');
    });

    it('does not count the card against the limit of the column it stays in', () => {
      const board = history(aBoard(), [t1], [moved(TODO, TODO, 'X')], [wipLimit(TODO, 1)]);
      expect(board.undo(-2)).toEqual([
        {
          type: 'TaskMoved',
          data: { taskId: 't1', fromColumnId: TODO, fromPosition: 'X', toColumnId: TODO, position: 'V' },
        },
      ]);
    });

    it('puts the card between the card that took its old place and the next one', () => {
      const board = history(
        aBoard(),
        [t1],
        [moved(TODO, DOING)],
        [taskCreated('t2', { position: 'V' }), taskCreated('t3', { position: 'W' })],
      );
      const position = taskIn(board.after(board.undo(-2)), 't1')?.position ?? '';
      expect(position > 'V' && position < 'W').toBe(true);
    });
  });

  describe('of a creation', () => {
    it('deletes the task while it is as the change left it', () => {
      const board = history(aBoard(), [t1]);
      expect(board.undo(-1)).toEqual([{ type: 'TaskDeleted', data: { taskId: 't1' } }]);
    });

    it('is refused when the task changed since, so no later work is lost', () => {
      const board = history(
        aBoard(),
        [t1],
        [{ type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'high' } }],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('“Fix login” has changed since; delete it instead');
    });

    it('is refused when the task was deleted since, naming it by its id since the board has no title for it', () => {
      const board = history(aBoard(), [t1], [on('TaskDeleted')]);
      expect(unsafeReason(() => board.undo(-2))).toBe('“t1” was deleted since');
    });

    it('deletes a reinstated task again (the undo of an undone delete)', () => {
      const board = history(aBoard(), [t1], [on('TaskDeleted')]);
      const reinstated = board.undo(-1);
      const again = history(aBoard(), [t1], [on('TaskDeleted')], reinstated);
      expect(again.undo(-1)).toEqual([{ type: 'TaskDeleted', data: { taskId: 't1' } }]);
    });
  });

  describe('of a delete', () => {
    it('is refused when the task exists again', () => {
      const board = history(aBoard(), [t1], [on('TaskDeleted')], [t1]);
      expect(unsafeReason(() => board.undo(-2))).toBe('“Fix login” exists again');
    });

    it('is refused when the task’s column was removed since', () => {
      const board = history(aBoard(), [t1], [on('TaskDeleted')], [{ type: 'ColumnRemoved', data: { columnId: TODO } }]);
      expect(unsafeReason(() => board.undo(-2))).toBe(
        'The column “To do” of “Fix login” was removed since; bring it back first',
      );
    });

    it('is refused when the task’s column is at its WIP limit now', () => {
      const board = history(aBoard(), [t1], [on('TaskDeleted')], [wipLimit(TODO, 1)], [taskCreated('t2')]);
      expect(thrownBy(() => board.undo(-3)).code).toBe('COLUMN.WIP_LIMIT_REACHED');
    });

    it('brings back an archived task even when its column is at its WIP limit, since archived tasks do not count', () => {
      const board = history(
        aBoard(),
        [t1],
        [on('TaskArchived')],
        [on('TaskDeleted')],
        [wipLimit(TODO, 1)],
        [taskCreated('t2')],
      );
      const back = taskIn(board.after(board.undo(-3)), 't1');
      expect(back).toMatchObject({ archived: true, columnId: TODO });
    });

    it('puts the task right after the card that took its place', () => {
      const board = history(
        aBoard(),
        [t1],
        [on('TaskDeleted')],
        [taskCreated('t2', { position: 'V' }), taskCreated('t3', { position: 'W' })],
      );
      const position = taskIn(board.after(board.undo(-2)), 't1')?.position ?? '';
      expect(position > 'V' && position < 'W').toBe(true);
    });

    it('keeps its own place when only a card in another column has the same key', () => {
      const board = history(
        aBoard(),
        [t1],
        [on('TaskDeleted')],
        [taskCreated('t2', { columnId: DOING, position: 'V' })],
      );
      expect(taskIn(board.after(board.undo(-2)), 't1')?.position).toBe('V');
    });

    it('keeps its own place when no card took it', () => {
      const board = history(aBoard(), [t1], [on('TaskDeleted')], [taskCreated('t2', { position: 'W' })]);
      expect(taskIn(board.after(board.undo(-2)), 't1')?.position).toBe('V');
    });
  });

  describe('of a comment', () => {
    const withComment = [aBoard(), [t1], [by(EDITOR, comment('CommentAdded', 'Seen'))]] as const;

    it('deletes a comment the change added', () => {
      const board = history(...withComment);
      expect(board.undo(-1, EDITOR)).toEqual([{ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c1' } }]);
    });

    it('is refused when the added comment was deleted since', () => {
      const board = history(...withComment, [{ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c1' } }]);
      expect(unsafeReason(() => board.undo(-2))).toBe('The comment on “Fix login” was deleted since');
    });

    it('is refused when the added comment was edited since', () => {
      const board = history(...withComment, [by(EDITOR, comment('CommentEdited', 'Seen it'))]);
      expect(unsafeReason(() => board.undo(-2))).toBe('The comment on “Fix login” was edited again since');
    });

    it('puts back the text an edit replaced', () => {
      const board = history(...withComment, [by(EDITOR, comment('CommentEdited', 'Seen it'))]);
      expect(board.undo(-1, EDITOR)).toEqual([
        { type: 'CommentEdited', data: { taskId: 't1', commentId: 'c1', body: 'Seen' } },
      ]);
    });

    it('brings back a deleted comment exactly as it was', () => {
      const board = history(...withComment, [{ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c1' } }]);
      const before = taskIn(history(...withComment).state, 't1')?.comments['c1'];
      expect(board.undo(-1)).toEqual([
        { type: 'CommentReinstated', data: { taskId: 't1', commentId: 'c1', comment: before } },
      ]);
      expect(taskIn(board.after(board.undo(-1)), 't1')?.comments['c1']).toEqual(before);
    });

    it('is refused when the deleted comment exists again', () => {
      const board = history(
        ...withComment,
        [{ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c1' } }],
        [by(EDITOR, comment('CommentAdded', 'Again'))],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('The comment on “Fix login” exists again');
    });

    it('deletes a reinstated comment again (the undo of an undone delete)', () => {
      const deleted = history(...withComment, [{ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c1' } }]);
      const board = history(
        ...withComment,
        [{ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c1' } }],
        deleted.undo(-1),
      );
      expect(board.undo(-1)).toEqual([{ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c1' } }]);
    });

    it('is refused when the reinstated comment was edited since', () => {
      const deleted = history(...withComment, [{ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c1' } }]);
      const board = history(
        ...withComment,
        [{ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c1' } }],
        deleted.undo(-1),
        [by(EDITOR, comment('CommentEdited', 'Changed'))],
      );
      expect(unsafeReason(() => board.undo(-2))).toBe('The comment on “Fix login” was edited again since');
    });
  });

  it('moves the card back and places it in its done column', () => {
    const board = history(aBoard(), [t1], [moved(TODO, DONE)]);
    expect(taskIn(board.after(board.undo(-1)), 't1')).toMatchObject({ columnId: TODO, position: 'V' });
  });
});

describe('Undo of a member’s removal', () => {
  it('gives them back an archived task they were unassigned from, since the removal changed it while archived', () => {
    const board = history(
      aBoard(),
      [t1],
      [on('TaskArchived')],
      [
        { type: 'TaskUnassigned', data: { taskId: 't1', userId: EDITOR } },
        { type: 'MemberRemoved', data: { userId: EDITOR } },
      ],
    );
    const back = board.after(board.undo(-1));
    expect(taskIn(back, 't1')).toMatchObject({ archived: true, assigneeIds: [EDITOR] });
  });
});
