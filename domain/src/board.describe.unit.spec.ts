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
const at = (event: BoardEvent): RecordedBoardEvent => ({
  ...event,
  revision: history.length,
  occurredAt: '2026-03-05T00:00:00Z',
  actorId: OWNER,
});

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
  ColumnAdded: {
    type: 'ColumnAdded',
    data: { columnId: 'c-new', name: 'Review', position: 'Y', isDone: false, wipLimit: 2 },
  },
  ColumnRenamed: { type: 'ColumnRenamed', data: { columnId: TODO, name: 'Backlog' } },
  ColumnMoved: { type: 'ColumnMoved', data: { columnId: TODO, from: 'V', position: 'Z' } },
  ColumnWipLimitSet: { type: 'ColumnWipLimitSet', data: { columnId: DOING, wipLimit: 3 } },
  ColumnRemoved: { type: 'ColumnRemoved', data: { columnId: DOING } },
  ColumnPositionsRebalanced: {
    type: 'ColumnPositionsRebalanced',
    data: { columnId: TODO, positions: [{ taskId: 't1', position: 'U' }] },
  },
  TaskCreated: taskCreated('t2', { title: 'Write docs' }),
  TaskTitleChanged: { type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Fix sign-in' } },
  TaskDescriptionChanged: { type: 'TaskDescriptionChanged', data: { taskId: 't1', description: 'Steps' } },
  TaskMoved: {
    type: 'TaskMoved',
    data: { taskId: 't1', fromColumnId: TODO, fromPosition: 'V', toColumnId: DONE, position: 'V' },
  },
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
  TaskReinstated: {
    type: 'TaskReinstated',
    data: { taskId: 't1', task: (before as { tasks: Record<string, Task> }).tasks['t1'] as Task },
  },
  CommentReinstated: {
    type: 'CommentReinstated',
    data: {
      taskId: 't1',
      commentId: 'c9',
      comment: { id: 'c9', authorId: EDITOR, body: 'Back', createdAt: '2026-03-01T00:00:00Z', editedAt: null },
    },
  },
};

suite('describe', () => {
  it.each(boardEventTypes.map((type) => [type] as const))('gives %s a summary and at least one change', (type) => {
    const description = describe(at(samples[type]), type === 'BoardCreated' ? initialBoardState : before);
    expect(description.summary.trim().length).toBeGreaterThan(0);
    expect(description.changes.length).toBeGreaterThan(0);
  });

  it('says a rebalance renumbered the positions of a column, each task with its old and new key', () => {
    expect(describe(at(samples.ColumnPositionsRebalanced), before)).toEqual({
      summary: 'Renumbered the positions of 1 task in the column “To do” (order unchanged)',
      changes: [{ field: 'tasks.t1.position', from: 'V', to: 'U' }],
    });
  });

  it('names the task and both columns of a move', () => {
    expect(describe(at(samples.TaskMoved), before)).toEqual({
      summary: 'Moved “Fix login” from To do to Done',
      changes: [
        { field: 'columnId', from: TODO, to: DONE },
        { field: 'position', from: 'V', to: 'V' },
      ],
    });
  });

  it('takes the prior value of each field from the state before the event', () => {
    expect(describe(at(samples.TaskTitleChanged), before).changes).toEqual([
      { field: 'title', from: 'Fix login', to: 'Fix sign-in' },
    ]);
    expect(describe(at(samples.TaskDueDateChanged), before).changes).toEqual([
      { field: 'dueDate', from: '2026-04-01T00:00:00Z', to: null },
    ]);
    expect(describe(at(samples.BoardRenamed), before).changes).toEqual([
      { field: 'name', from: 'Team', to: 'Platform' },
    ]);
    expect(describe(at(samples.ColumnRenamed), before)).toEqual({
      summary: 'Renamed the column “To do” to “Backlog”',
      changes: [{ field: 'name', from: 'To do', to: 'Backlog' }],
    });
    expect(describe(at(samples.ColumnWipLimitSet), before).changes).toEqual([{ field: 'wipLimit', from: null, to: 3 }]);
    expect(describe(at(samples.MemberRoleChanged), before).changes).toEqual([
      { field: `members.${VIEWER}.role`, from: 'viewer', to: 'editor' },
    ]);
    expect(describe(at(samples.CommentEdited), before).changes).toEqual([
      { field: 'comment.body', from: 'First', to: 'Edited' },
    ]);
    expect(describe(at(samples.TaskCompleted), before).changes).toEqual([
      { field: 'status', from: 'open', to: 'completed' },
    ]);
  });

  it('says when an owner was appointed to succeed an erased only owner (AppointOwnerForErasure)', () => {
    expect(
      describe(
        at({ type: 'MemberRoleChanged', data: { userId: VIEWER, from: 'viewer', role: 'owner', succeeds: OWNER } }),
        before,
      ),
    ).toEqual({
      summary: `Changed the role of ${VIEWER} from viewer to owner, succeeding ${OWNER} (account erasure)`,
      changes: [{ field: `members.${VIEWER}.role`, from: 'viewer', to: 'owner' }],
    });
    expect(
      describe(at({ type: 'MemberAdded', data: { userId: 'user-new', role: 'owner', succeeds: OWNER } }), before),
    ).toEqual({
      summary: `Added user-new as owner, succeeding ${OWNER} (account erasure)`,
      changes: [{ field: 'members.user-new.role', from: null, to: 'owner' }],
    });
  });

  it('shows list fields whole, before and after', () => {
    expect(describe(at(samples.TaskAssigned), before).changes).toEqual([
      { field: 'assigneeIds', from: [OWNER], to: [OWNER, EDITOR] },
    ]);
    expect(describe(at(samples.TaskUnassigned), before).changes).toEqual([
      { field: 'assigneeIds', from: [OWNER], to: [] },
    ]);
    expect(describe(at(samples.TaskLabelAdded), before).changes).toEqual([
      { field: 'labels', from: ['bug'], to: ['bug', 'ui'] },
    ]);
    expect(describe(at(samples.TaskLabelRemoved), before).changes).toEqual([
      { field: 'labels', from: ['bug'], to: [] },
    ]);
  });

  it('describes a created task from nothing', () => {
    const description = describe(at(samples.TaskCreated), before);
    expect(description.summary).toBe('Created “Write docs” in To do');
    expect(description.changes).toContainEqual({ field: 'title', from: null, to: 'Write docs' });
    expect(description.changes.every((change) => change.from === null)).toBe(true);
  });

  it('falls back to ids when the state does not know the task', () => {
    const event = at({ type: 'TaskTitleChanged', data: { taskId: 't-gone', title: 'X' } });
    expect(describe(event, before)).toEqual({
      summary: 'Renamed “t-gone” to “X”',
      changes: [{ field: 'title', from: null, to: 'X' }],
    });
  });
});

/** The exact description of each sample against `before` (BoardCreated: against no board). */
const described: Partial<
  Record<BoardEvent['type'], { summary: string; changes: { field: string; from: unknown; to: unknown }[] }>
> = {
  BoardCreated: {
    summary: 'Created the board “Other”',
    changes: [
      { field: 'name', from: null, to: 'Other' },
      { field: 'description', from: null, to: 'd' },
    ],
  },
  BoardRenamed: {
    summary: 'Renamed the board to “Platform”',
    changes: [{ field: 'name', from: 'Team', to: 'Platform' }],
  },
  BoardDescriptionChanged: {
    summary: 'Changed the board description',
    changes: [{ field: 'description', from: '', to: 'Q3' }],
  },
  BoardArchived: { summary: 'Archived the board', changes: [{ field: 'archived', from: false, to: true }] },
  BoardRestored: { summary: 'Restored the board', changes: [{ field: 'archived', from: true, to: false }] },
  MemberAdded: {
    summary: 'Added user-new as viewer',
    changes: [{ field: 'members.user-new.role', from: null, to: 'viewer' }],
  },
  MemberRoleChanged: {
    summary: 'Changed the role of user-viewer from viewer to editor',
    changes: [{ field: 'members.user-viewer.role', from: 'viewer', to: 'editor' }],
  },
  MemberRemoved: {
    summary: 'Removed user-editor from the board',
    changes: [{ field: 'members.user-editor.role', from: 'editor', to: null }],
  },
  ColumnAdded: {
    summary: 'Added the column “Review”',
    changes: [
      { field: 'name', from: null, to: 'Review' },
      { field: 'position', from: null, to: 'Y' },
      { field: 'isDone', from: null, to: false },
      { field: 'wipLimit', from: null, to: 2 },
    ],
  },
  ColumnRenamed: {
    summary: 'Renamed the column “To do” to “Backlog”',
    changes: [{ field: 'name', from: 'To do', to: 'Backlog' }],
  },
  ColumnMoved: { summary: 'Moved the column “To do”', changes: [{ field: 'position', from: 'V', to: 'Z' }] },
  ColumnWipLimitSet: {
    summary: 'Set the WIP limit of “In progress” to 3',
    changes: [{ field: 'wipLimit', from: null, to: 3 }],
  },
  ColumnRemoved: {
    summary: 'Removed the column “In progress”',
    changes: [{ field: 'name', from: 'In progress', to: null }],
  },
  TaskDescriptionChanged: {
    summary: 'Changed the description of “Fix login”',
    changes: [{ field: 'description', from: '', to: 'Steps' }],
  },
  TaskAssigned: {
    summary: 'Assigned “Fix login” to user-editor',
    changes: [{ field: 'assigneeIds', from: [OWNER], to: [OWNER, EDITOR] }],
  },
  TaskUnassigned: {
    summary: 'Unassigned user-owner from “Fix login”',
    changes: [{ field: 'assigneeIds', from: [OWNER], to: [] }],
  },
  TaskLabelAdded: {
    summary: 'Labelled “Fix login” “ui”',
    changes: [{ field: 'labels', from: ['bug'], to: ['bug', 'ui'] }],
  },
  TaskLabelRemoved: {
    summary: 'Removed the label “bug” from “Fix login”',
    changes: [{ field: 'labels', from: ['bug'], to: [] }],
  },
  TaskPriorityChanged: {
    summary: 'Set the priority of “Fix login” to urgent',
    changes: [{ field: 'priority', from: 'medium', to: 'urgent' }],
  },
  TaskDueDateChanged: {
    summary: 'Cleared the due date of “Fix login”',
    changes: [{ field: 'dueDate', from: '2026-04-01T00:00:00Z', to: null }],
  },
  TaskCompleted: { summary: 'Completed “Fix login”', changes: [{ field: 'status', from: 'open', to: 'completed' }] },
  TaskReopened: { summary: 'Reopened “Fix login”', changes: [{ field: 'status', from: 'open', to: 'open' }] },
  TaskArchived: { summary: 'Archived “Fix login”', changes: [{ field: 'archived', from: false, to: true }] },
  TaskRestored: { summary: 'Restored “Fix login”', changes: [{ field: 'archived', from: false, to: false }] },
  TaskDeleted: { summary: 'Deleted “Fix login”', changes: [{ field: 'title', from: 'Fix login', to: null }] },
  TaskReinstated: {
    summary: 'Brought back the deleted task “Fix login”',
    changes: [
      { field: 'title', from: null, to: 'Fix login' },
      { field: 'columnId', from: null, to: TODO },
    ],
  },
  CommentAdded: { summary: 'Commented on “Fix login”', changes: [{ field: 'comment.body', from: null, to: 'Second' }] },
  CommentEdited: {
    summary: 'Edited a comment on “Fix login”',
    changes: [{ field: 'comment.body', from: 'First', to: 'Edited' }],
  },
  CommentDeleted: {
    summary: 'Deleted a comment on “Fix login”',
    changes: [{ field: 'comment.body', from: 'First', to: null }],
  },
  CommentReinstated: {
    summary: 'Brought back a deleted comment on “Fix login”',
    changes: [{ field: 'comment.body', from: null, to: 'Back' }],
  },
};

suite('describe, word for word', () => {
  it.each(Object.entries(described))('describes %s', (type, description) => {
    const event = samples[type as BoardEvent['type']];
    expect(describe(at(event), type === 'BoardCreated' ? initialBoardState : before)).toEqual(description);
  });

  it('says when a WIP limit is removed, and which it was', () => {
    const limited = foldBoard(
      record([...history, { type: 'ColumnWipLimitSet', data: { columnId: DOING, wipLimit: 2 } }]),
    );
    expect(describe(at({ type: 'ColumnWipLimitSet', data: { columnId: DOING, wipLimit: null } }), limited)).toEqual({
      summary: 'Removed the WIP limit of “In progress”',
      changes: [{ field: 'wipLimit', from: 2, to: null }],
    });
  });

  it('says when a due date is set, and what it was', () => {
    expect(
      describe(at({ type: 'TaskDueDateChanged', data: { taskId: 't1', dueDate: '2026-05-01T00:00:00Z' } }), before),
    ).toEqual({
      summary: 'Set the due date of “Fix login” to 2026-05-01T00:00:00Z',
      changes: [{ field: 'dueDate', from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' }],
    });
  });

  it('describes a move within one column as such', () => {
    const event = at({
      type: 'TaskMoved',
      data: { taskId: 't1', fromColumnId: TODO, fromPosition: 'V', toColumnId: TODO, position: 'W' },
    });
    expect(describe(event, before).summary).toBe('Moved “Fix login” within To do');
  });

  it('does not list an assignee twice', () => {
    const event = at({ type: 'TaskAssigned', data: { taskId: 't1', userId: OWNER } });
    expect(describe(event, before).changes).toEqual([{ field: 'assigneeIds', from: [OWNER], to: [OWNER] }]);
  });

  it('gives a task the state does not know nothing or the event’s own values as prior values', () => {
    const gone = (event: BoardEvent) => describe(at(event), before).changes;
    expect(gone({ type: 'TaskAssigned', data: { taskId: 't-gone', userId: EDITOR } })).toEqual([
      { field: 'assigneeIds', from: [], to: [EDITOR] },
    ]);
    expect(gone({ type: 'TaskLabelRemoved', data: { taskId: 't-gone', label: 'bug' } })).toEqual([
      { field: 'labels', from: [], to: [] },
    ]);
    expect(
      gone({
        type: 'TaskMoved',
        data: { taskId: 't-gone', fromColumnId: TODO, fromPosition: 'V', toColumnId: DONE, position: 'W' },
      }),
    ).toEqual([
      { field: 'columnId', from: TODO, to: DONE },
      { field: 'position', from: 'V', to: 'W' },
    ]);
    expect(gone({ type: 'TaskCompleted', data: { taskId: 't-gone' } })).toEqual([
      { field: 'status', from: null, to: 'completed' },
    ]);
    expect(gone({ type: 'TaskArchived', data: { taskId: 't-gone' } })).toEqual([
      { field: 'archived', from: null, to: true },
    ]);
    expect(gone({ type: 'CommentEdited', data: { taskId: 't1', commentId: 'c-gone', body: 'B' } })).toEqual([
      { field: 'comment.body', from: null, to: 'B' },
    ]);
  });

  it('takes the role a change came from, or none, for someone the board does not know', () => {
    expect(
      describe(at({ type: 'MemberRoleChanged', data: { userId: 'user-gone', from: 'editor', role: 'viewer' } }), before)
        .changes,
    ).toEqual([{ field: 'members.user-gone.role', from: 'editor', to: 'viewer' }]);
    expect(describe(at({ type: 'MemberRemoved', data: { userId: 'user-gone' } }), before).changes).toEqual([
      { field: 'members.user-gone.role', from: null, to: null },
    ]);
  });

  it('gives every field of a task the state does not know no prior value', () => {
    const gone = (event: BoardEvent) => describe(at(event), before).changes[0]?.from;
    expect(gone({ type: 'TaskDescriptionChanged', data: { taskId: 't-gone', description: 'D' } })).toBeNull();
    expect(gone({ type: 'TaskPriorityChanged', data: { taskId: 't-gone', priority: 'low' } })).toBeNull();
    expect(gone({ type: 'TaskDueDateChanged', data: { taskId: 't-gone', dueDate: null } })).toBeNull();
    expect(gone({ type: 'TaskReopened', data: { taskId: 't-gone' } })).toBeNull();
    expect(gone({ type: 'TaskRestored', data: { taskId: 't-gone' } })).toBeNull();
    expect(gone({ type: 'TaskDeleted', data: { taskId: 't-gone' } })).toBeNull();
    expect(gone({ type: 'CommentEdited', data: { taskId: 't-gone', commentId: 'c1', body: 'B' } })).toBeNull();
    expect(gone({ type: 'CommentDeleted', data: { taskId: 't-gone', commentId: 'c1' } })).toBeNull();
    expect(gone({ type: 'CommentDeleted', data: { taskId: 't1', commentId: 'c-gone' } })).toBeNull();
    expect(gone({ type: 'TaskUnassigned', data: { taskId: 't-gone', userId: OWNER } })).toEqual([]);
    expect(gone({ type: 'TaskLabelAdded', data: { taskId: 't-gone', label: 'ui' } })).toEqual([]);
    expect(
      describe(at({ type: 'TaskUnassigned', data: { taskId: 't-gone', userId: OWNER } }), before).changes[0]?.to,
    ).toEqual([]);
    expect(
      describe(at({ type: 'TaskLabelAdded', data: { taskId: 't-gone', label: 'ui' } }), before).changes[0]?.to,
    ).toEqual(['ui']);
  });

  it('takes a prior description, archived flag and status as they were', () => {
    const changed = foldBoard(
      record([
        ...history,
        { type: 'TaskDescriptionChanged', data: { taskId: 't1', description: 'Old' } },
        { type: 'TaskArchived', data: { taskId: 't1' } },
        { type: 'TaskCompleted', data: { taskId: 't1' } },
      ]),
    );
    expect(describe(at(samples.TaskDescriptionChanged), changed).changes).toEqual([
      { field: 'description', from: 'Old', to: 'Steps' },
    ]);
    expect(describe(at(samples.TaskRestored), changed).changes).toEqual([{ field: 'archived', from: true, to: false }]);
    expect(describe(at(samples.TaskReopened), changed).changes).toEqual([
      { field: 'status', from: 'completed', to: 'open' },
    ]);
  });

  it('names a column the state does not know by its id, with no prior value', () => {
    expect(describe(at({ type: 'ColumnRenamed', data: { columnId: 'c-gone', name: 'X' } }), before)).toEqual({
      summary: 'Renamed the column “c-gone” to “X”',
      changes: [{ field: 'name', from: null, to: 'X' }],
    });
    expect(
      describe(at({ type: 'ColumnMoved', data: { columnId: 'c-gone', from: 'V', position: 'Z' } }), before).changes,
    ).toEqual([{ field: 'position', from: 'V', to: 'Z' }]);
    expect(
      describe(at({ type: 'ColumnWipLimitSet', data: { columnId: 'c-gone', wipLimit: 1 } }), before).changes,
    ).toEqual([{ field: 'wipLimit', from: null, to: 1 }]);
    expect(describe(at({ type: 'ColumnRemoved', data: { columnId: 'c-gone' } }), before).changes).toEqual([
      { field: 'name', from: null, to: null },
    ]);
  });

  it('takes prior values from the event, or none, when there is no board yet', () => {
    expect(describe(at(samples.BoardRenamed), initialBoardState).changes).toEqual([
      { field: 'name', from: null, to: 'Platform' },
    ]);
    expect(describe(at(samples.BoardDescriptionChanged), initialBoardState).changes).toEqual([
      { field: 'description', from: null, to: 'Q3' },
    ]);
    expect(describe(at(samples.MemberRoleChanged), initialBoardState).changes).toEqual([
      { field: `members.${VIEWER}.role`, from: 'viewer', to: 'editor' },
    ]);
    expect(describe(at(samples.MemberRemoved), initialBoardState).changes).toEqual([
      { field: `members.${EDITOR}.role`, from: null, to: null },
    ]);
    expect(describe(at(samples.ColumnRenamed), initialBoardState)).toEqual({
      summary: 'Renamed the column “col-todo” to “Backlog”',
      changes: [{ field: 'name', from: null, to: 'Backlog' }],
    });
    expect(describe(at(samples.ColumnMoved), initialBoardState).changes).toEqual([
      { field: 'position', from: 'V', to: 'Z' },
    ]);
    expect(describe(at(samples.TaskTitleChanged), initialBoardState)).toEqual({
      summary: 'Renamed “t1” to “Fix sign-in”',
      changes: [{ field: 'title', from: null, to: 'Fix sign-in' }],
    });
  });

  it('gives events it does not know a generic line rather than an error', () => {
    const unknown = (data: Record<string, string>) =>
      describe(at({ type: 'SomethingNew', data } as unknown as BoardEvent), before);
    expect(unknown({})).toEqual({ summary: 'Recorded SomethingNew', changes: [] });
    expect(unknown({ columnId: TODO })).toEqual({ summary: 'Recorded SomethingNew', changes: [] });
    expect(unknown({ taskId: 't1' })).toEqual({ summary: 'SomethingNew on “Fix login”', changes: [] });
  });
});
