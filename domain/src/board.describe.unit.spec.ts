import { describe as suite, expect, it } from 'vitest';
import type { BoardEvent, RecordedBoardEvent } from './board.events.js';
import { boardEventTypes } from './board.events.js';
import { describe } from './board.describe.js';
import { foldBoard } from './board.evolve.js';
import { initialBoardState, type Task } from './board.state.js';
import { DOING, DONE, EDITOR, OWNER, TODO, VIEWER, aBoard, by, record, taskCreated } from './board.testkit.js';

const history = [
  ...aBoard(),
  taskCreated('t1', { title: 'Fix login', assigneeIds: [OWNER], labels: ['bug'], dueDate: '2026-04-01T00:00:00Z' }),
  by(EDITOR, { type: 'CommentAdded', data: { taskId: 't1', commentId: 'c1', body: 'First' } } as const),
];
const before = foldBoard(record(history));
const at = (event: BoardEvent): RecordedBoardEvent => ({ ...event, revision: history.length, occurredAt: '2026-03-05T00:00:00Z', actorId: OWNER });

/** One sample of every event type, applicable to `before`. */
const samples: Record<BoardEvent['type'], BoardEvent> = {
  BoardCreated: { type: 'BoardCreated', data: { boardId: 'b2', name: 'Other', description: 'd' } },
  BoardRenamed: { type: 'BoardRenamed', data: { name: 'Platform' } },
  BoardDescriptionChanged: { type: 'BoardDescriptionChanged', data: { description: 'Q3' } },
  BoardArchived: { type: 'BoardArchived', data: {} },
  BoardRestored: { type: 'BoardRestored', data: {} },
  MemberAdded: { type: 'MemberAdded', data: { userId: 'user-new', role: 'viewer' } },
  MemberRoleChanged: { type: 'MemberRoleChanged', data: { userId: VIEWER, from: 'viewer', role: 'editor' } },
  MemberRemoved: { type: 'MemberRemoved', data: { userId: EDITOR } },
  ColumnAdded: { type: 'ColumnAdded', data: { columnId: 'c-new', name: 'Review', position: 'Y', isDone: false, wipLimit: 2 } },
  ColumnRenamed: { type: 'ColumnRenamed', data: { columnId: TODO, name: 'Backlog' } },
  ColumnMoved: { type: 'ColumnMoved', data: { columnId: TODO, from: 'V', position: 'Z' } },
  ColumnWipLimitSet: { type: 'ColumnWipLimitSet', data: { columnId: DOING, wipLimit: 3 } },
  ColumnRemoved: { type: 'ColumnRemoved', data: { columnId: DOING } },
  TaskCreated: taskCreated('t2', { title: 'Write docs' }),
  TaskTitleChanged: { type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Fix sign-in' } },
  TaskDescriptionChanged: { type: 'TaskDescriptionChanged', data: { taskId: 't1', description: 'Steps' } },
  TaskMoved: { type: 'TaskMoved', data: { taskId: 't1', fromColumnId: TODO, fromPosition: 'V', toColumnId: DONE, position: 'V' } },
  TaskAssigned: { type: 'TaskAssigned', data: { taskId: 't1', userId: EDITOR } },
  TaskUnassigned: { type: 'TaskUnassigned', data: { taskId: 't1', userId: OWNER } },
  TaskLabelAdded: { type: 'TaskLabelAdded', data: { taskId: 't1', label: 'ui' } },
  TaskLabelRemoved: { type: 'TaskLabelRemoved', data: { taskId: 't1', label: 'bug' } },
  TaskPriorityChanged: { type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'urgent' } },
  TaskDueDateChanged: { type: 'TaskDueDateChanged', data: { taskId: 't1', dueDate: null } },
  TaskCompleted: { type: 'TaskCompleted', data: { taskId: 't1' } },
  TaskReopened: { type: 'TaskReopened', data: { taskId: 't1' } },
  TaskArchived: { type: 'TaskArchived', data: { taskId: 't1' } },
  TaskRestored: { type: 'TaskRestored', data: { taskId: 't1' } },
  TaskDeleted: { type: 'TaskDeleted', data: { taskId: 't1' } },
  CommentAdded: { type: 'CommentAdded', data: { taskId: 't1', commentId: 'c2', body: 'Second' } },
  CommentEdited: { type: 'CommentEdited', data: { taskId: 't1', commentId: 'c1', body: 'Edited' } },
  CommentDeleted: { type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c1' } },
  TaskReinstated: { type: 'TaskReinstated', data: { taskId: 't1', task: (before as { tasks: Record<string, Task> }).tasks['t1'] as Task } },
  CommentReinstated: {
    type: 'CommentReinstated',
    data: { taskId: 't1', commentId: 'c9', comment: { id: 'c9', authorId: EDITOR, body: 'Back', createdAt: '2026-03-01T00:00:00Z', editedAt: null } },
  },
};

suite('describe', () => {
  it.each(boardEventTypes.map((type) => [type] as const))('gives %s a summary and at least one change', (type) => {
    const description = describe(at(samples[type]), type === 'BoardCreated' ? initialBoardState : before);
    expect(description.summary.trim().length).toBeGreaterThan(0);
    expect(description.changes.length).toBeGreaterThan(0);
  });

  it('names the task and both columns of a move', () => {
    expect(describe(at(samples.TaskMoved), before)).toEqual({
      summary: 'Moved “Fix login” from To do to Done',
      changes: [{ field: 'columnId', from: TODO, to: DONE }, { field: 'position', from: 'V', to: 'V' }],
    });
  });

  it('takes the prior value of each field from the state before the event', () => {
    expect(describe(at(samples.TaskTitleChanged), before).changes).toEqual([{ field: 'title', from: 'Fix login', to: 'Fix sign-in' }]);
    expect(describe(at(samples.TaskDueDateChanged), before).changes).toEqual([{ field: 'dueDate', from: '2026-04-01T00:00:00Z', to: null }]);
    expect(describe(at(samples.BoardRenamed), before).changes).toEqual([{ field: 'name', from: 'Team', to: 'Platform' }]);
    expect(describe(at(samples.ColumnRenamed), before)).toEqual({
      summary: 'Renamed the column “To do” to “Backlog”', changes: [{ field: 'name', from: 'To do', to: 'Backlog' }],
    });
    expect(describe(at(samples.ColumnWipLimitSet), before).changes).toEqual([{ field: 'wipLimit', from: null, to: 3 }]);
    expect(describe(at(samples.MemberRoleChanged), before).changes).toEqual([{ field: `members.${VIEWER}.role`, from: 'viewer', to: 'editor' }]);
    expect(describe(at(samples.CommentEdited), before).changes).toEqual([{ field: 'comment.body', from: 'First', to: 'Edited' }]);
    expect(describe(at(samples.TaskCompleted), before).changes).toEqual([{ field: 'status', from: 'open', to: 'completed' }]);
  });

  it('says when an owner was appointed to succeed an erased only owner (AppointOwnerForErasure)', () => {
    expect(describe(at({ type: 'MemberRoleChanged', data: { userId: VIEWER, from: 'viewer', role: 'owner', succeeds: OWNER } }), before)).toEqual({
      summary: `Changed the role of ${VIEWER} from viewer to owner, succeeding ${OWNER} (account erasure)`,
      changes: [{ field: `members.${VIEWER}.role`, from: 'viewer', to: 'owner' }],
    });
    expect(describe(at({ type: 'MemberAdded', data: { userId: 'user-new', role: 'owner', succeeds: OWNER } }), before)).toEqual({
      summary: `Added user-new as owner, succeeding ${OWNER} (account erasure)`,
      changes: [{ field: 'members.user-new.role', from: null, to: 'owner' }],
    });
  });

  it('shows list fields whole, before and after', () => {
    expect(describe(at(samples.TaskAssigned), before).changes).toEqual([{ field: 'assigneeIds', from: [OWNER], to: [OWNER, EDITOR] }]);
    expect(describe(at(samples.TaskUnassigned), before).changes).toEqual([{ field: 'assigneeIds', from: [OWNER], to: [] }]);
    expect(describe(at(samples.TaskLabelAdded), before).changes).toEqual([{ field: 'labels', from: ['bug'], to: ['bug', 'ui'] }]);
    expect(describe(at(samples.TaskLabelRemoved), before).changes).toEqual([{ field: 'labels', from: ['bug'], to: [] }]);
  });

  it('describes a created task from nothing', () => {
    const description = describe(at(samples.TaskCreated), before);
    expect(description.summary).toBe('Created “Write docs” in To do');
    expect(description.changes).toContainEqual({ field: 'title', from: null, to: 'Write docs' });
    expect(description.changes.every((change) => change.from === null)).toBe(true);
  });

  it('falls back to ids when the state does not know the task', () => {
    const event = at({ type: 'TaskTitleChanged', data: { taskId: 't-gone', title: 'X' } });
    expect(describe(event, before)).toEqual({ summary: 'Renamed “t-gone” to “X”', changes: [{ field: 'title', from: null, to: 'X' }] });
  });
});
