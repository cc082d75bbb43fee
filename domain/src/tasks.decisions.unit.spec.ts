import { describe, it } from 'vitest';
import type { BoardEvent } from './board.events.js';
import {
  DOING,
  DONE,
  EDITOR,
  STRANGER,
  TODO,
  aBoard,
  columnAdded,
  command,
  given,
  positionBetween,
  taskCreated,
} from './board.testkit.js';

const archived = (taskId: string): BoardEvent => ({ type: 'TaskArchived', data: { taskId } });
const completed = (taskId: string): BoardEvent => ({ type: 'TaskCompleted', data: { taskId } });
const twoTasks = [...aBoard(), taskCreated('t1', { position: 'V' }), taskCreated('t2', { position: 'X' })];
const limitedDoing = [...aBoard(), { type: 'ColumnWipLimitSet', data: { columnId: DOING, wipLimit: 1 } } as const];

const created = (more: Partial<Extract<BoardEvent, { type: 'TaskCreated' }>['data']>): BoardEvent => ({
  type: 'TaskCreated',
  data: {
    taskId: 't-new',
    columnId: TODO,
    position: positionBetween(null, null),
    title: 'Fix login',
    description: '',
    priority: 'medium',
    dueDate: null,
    assigneeIds: [],
    labels: [],
    ...more,
  },
});

describe('Tasks', () => {
  describe('CreateTask', () => {
    it('creates the task at the end of the first column with defaults', () =>
      given(...twoTasks)
        .when(command('CreateTask', { taskId: 't-new', title: ' Fix login ' }, EDITOR))
        .then([created({ position: positionBetween('X', null) })]));
    it('takes every field given, deduplicating labels and assignees', () =>
      given(...aBoard())
        .when(
          command('CreateTask', {
            taskId: 't-new',
            title: 'Fix login',
            description: 'Steps…',
            columnId: DOING,
            priority: 'urgent',
            dueDate: '2026-04-01T00:00:00Z',
            assigneeIds: [EDITOR, EDITOR],
            labels: [' bug ', 'bug', 'ui'],
          }),
        )
        .then([
          created({
            columnId: DOING,
            description: 'Steps…',
            priority: 'urgent',
            dueDate: '2026-04-01T00:00:00Z',
            assigneeIds: [EDITOR],
            labels: ['bug', 'ui'],
          }),
        ]));
    it('places it before or after a task of the column', () => {
      given(...twoTasks)
        .when(command('CreateTask', { taskId: 't-new', title: 'Fix login', beforeId: 't2' }))
        .then([created({ position: positionBetween('V', 'X') })]);
      given(...twoTasks)
        .when(command('CreateTask', { taskId: 't-new', title: 'Fix login', afterId: 't2' }))
        .then([created({ position: positionBetween('X', null) })]);
      given(...twoTasks)
        .when(command('CreateTask', { taskId: 't-new', title: 'Fix login', beforeId: 't1' }))
        .then([created({ position: positionBetween(null, 'V') })]);
    });
    it('completes a task created straight into a done column', () =>
      given(...aBoard())
        .when(command('CreateTask', { taskId: 't-new', title: 'Fix login', columnId: DONE }))
        .then([created({ columnId: DONE }), completed('t-new')]));
    it('refuses an existing id', () =>
      given(...twoTasks)
        .when(command('CreateTask', { taskId: 't1', title: 'Again' }))
        .thenThrows('TASK.ALREADY_EXISTS'));
    it('refuses an unknown column', () =>
      given(...aBoard())
        .when(command('CreateTask', { taskId: 't', title: 'T', columnId: 'col-x' }))
        .thenThrows('COLUMN.NOT_FOUND'));
    it('refuses an anchor that is missing or in another column', () => {
      given(...twoTasks)
        .when(command('CreateTask', { taskId: 't', title: 'T', afterId: 't-x' }))
        .thenThrows('TASK.INVALID_ANCHOR');
      given(...twoTasks)
        .when(command('CreateTask', { taskId: 't', title: 'T', columnId: DOING, afterId: 't1' }))
        .thenThrows('TASK.INVALID_ANCHOR');
    });
    it('refuses an assignee who is not a member', () =>
      given(...aBoard())
        .when(command('CreateTask', { taskId: 't', title: 'T', assigneeIds: [STRANGER] }))
        .thenThrows('TASK.ASSIGNEE_NOT_MEMBER', 'assigneeIds'));
    describe('when the column is at its WIP limit', () => {
      it('refuses the new task', () =>
        given(...limitedDoing, taskCreated('t1', { columnId: DOING }))
          .when(command('CreateTask', { taskId: 't', title: 'T', columnId: DOING }))
          .thenThrows('COLUMN.WIP_LIMIT_REACHED'));
      it('does not count archived tasks', () =>
        given(...limitedDoing, taskCreated('t1', { columnId: DOING }), archived('t1'))
          .when(command('CreateTask', { taskId: 't', title: 'T', columnId: DOING }))
          .then([created({ taskId: 't', title: 'T', columnId: DOING, position: positionBetween('V', null) })]));
    });
    describe('when the input is invalid', () => {
      const invalidCases: [string, Record<string, unknown>][] = [
        ['title', { title: '  ' }],
        ['title', { title: 'x'.repeat(201) }],
        ['description', { description: 'x'.repeat(10_001) }],
        ['labels[0]', { labels: [''] }],
        ['labels[0]', { labels: ['x'.repeat(41)] }],
        ['labels', { labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }],
        ['assigneeIds', { assigneeIds: Array.from({ length: 21 }, (_, i) => `u${i}`) }],
        ['dueDate', { dueDate: 'tomorrow' }],
        ['dueDate', { dueDate: '2026-02-30T00:00:00Z' }],
        ['priority', { priority: 'whenever' }],
      ];
      it.each(invalidCases)('refuses a bad %s', (field, patch) =>
        given(...aBoard())
          .when(command('CreateTask', { taskId: 't', title: 'T', ...patch }))
          .thenThrows('VALIDATION.FAILED', field),
      );
      it('accepts 20 labels after deduplication', () =>
        given(...aBoard())
          .when(
            command('CreateTask', {
              taskId: 't',
              title: 'x'.repeat(200),
              labels: [...Array.from({ length: 20 }, (_, i) => `l${i}`), 'l0'],
            }),
          )
          .run());
    });
  });

  describe('MoveTask', () => {
    it('moves the task to the end of another column', () =>
      given(...twoTasks)
        .when(command('MoveTask', { taskId: 't1', columnId: DOING }))
        .then([
          {
            type: 'TaskMoved',
            data: {
              taskId: 't1',
              fromColumnId: TODO,
              fromPosition: 'V',
              toColumnId: DOING,
              position: positionBetween(null, null),
            },
          },
        ]));
    it('reorders inside a column', () =>
      given(...twoTasks)
        .when(command('MoveTask', { taskId: 't1', columnId: TODO, afterId: 't2' }))
        .then([
          {
            type: 'TaskMoved',
            data: {
              taskId: 't1',
              fromColumnId: TODO,
              fromPosition: 'V',
              toColumnId: TODO,
              position: positionBetween('X', null),
            },
          },
        ]));
    it('does nothing when the task is already there', () =>
      given(...twoTasks)
        .when(command('MoveTask', { taskId: 't1', columnId: TODO, beforeId: 't2' }))
        .then([]));
    it('completes a task moved into a done column', () =>
      given(...twoTasks)
        .when(command('MoveTask', { taskId: 't1', columnId: DONE }))
        .then([
          {
            type: 'TaskMoved',
            data: {
              taskId: 't1',
              fromColumnId: TODO,
              fromPosition: 'V',
              toColumnId: DONE,
              position: positionBetween(null, null),
            },
          },
          completed('t1'),
        ]));
    it('does not complete again a task already completed', () =>
      given(...twoTasks, completed('t1'))
        .when(command('MoveTask', { taskId: 't1', columnId: DONE }))
        .then([
          {
            type: 'TaskMoved',
            data: {
              taskId: 't1',
              fromColumnId: TODO,
              fromPosition: 'V',
              toColumnId: DONE,
              position: positionBetween(null, null),
            },
          },
        ]));
    it('reopens a completed task moved out of a done column into an open one', () =>
      given(...aBoard(), taskCreated('t1', { columnId: DONE }), completed('t1'))
        .when(command('MoveTask', { taskId: 't1', columnId: DOING }))
        .then([
          {
            type: 'TaskMoved',
            data: {
              taskId: 't1',
              fromColumnId: DONE,
              fromPosition: 'V',
              toColumnId: DOING,
              position: positionBetween(null, null),
            },
          },
          { type: 'TaskReopened', data: { taskId: 't1' } },
        ]));
    it('keeps a task completed when it moves between two done columns', () =>
      given(
        ...aBoard(),
        columnAdded('col-shipped', 'Shipped', 'Y', { isDone: true }),
        taskCreated('t1', { columnId: DONE }),
        completed('t1'),
      )
        .when(command('MoveTask', { taskId: 't1', columnId: 'col-shipped' }))
        .then([
          {
            type: 'TaskMoved',
            data: {
              taskId: 't1',
              fromColumnId: DONE,
              fromPosition: 'V',
              toColumnId: 'col-shipped',
              position: positionBetween(null, null),
            },
          },
        ]));
    it('refuses an unknown task, column or anchor', () => {
      given(...twoTasks)
        .when(command('MoveTask', { taskId: 't-x', columnId: DOING }))
        .thenThrows('TASK.NOT_FOUND');
      given(...twoTasks)
        .when(command('MoveTask', { taskId: 't1', columnId: 'col-x' }))
        .thenThrows('COLUMN.NOT_FOUND');
      given(...twoTasks)
        .when(command('MoveTask', { taskId: 't1', columnId: DOING, beforeId: 't2' }))
        .thenThrows('TASK.INVALID_ANCHOR');
      given(...twoTasks)
        .when(command('MoveTask', { taskId: 't1', columnId: TODO, beforeId: 't1' }))
        .thenThrows('TASK.INVALID_ANCHOR');
    });
    describe('when the target column is at its WIP limit', () => {
      const full = [...limitedDoing, taskCreated('t1', { columnId: DOING }), taskCreated('t2', { columnId: TODO })];
      it('refuses a task moved in from another column', () =>
        given(...full)
          .when(command('MoveTask', { taskId: 't2', columnId: DOING }))
          .thenThrows('COLUMN.WIP_LIMIT_REACHED'));
      it('still reorders inside it', () =>
        given(...full, taskCreated('t3', { columnId: DOING, position: 'W' }))
          .when(command('MoveTask', { taskId: 't3', columnId: DOING, beforeId: 't1' }))
          .then([
            {
              type: 'TaskMoved',
              data: {
                taskId: 't3',
                fromColumnId: DOING,
                fromPosition: 'W',
                toColumnId: DOING,
                position: positionBetween(null, 'V'),
              },
            },
          ]));
    });
  });

  describe('CompleteTask and ReopenTask', () => {
    it('completes an open task', () =>
      given(...twoTasks)
        .when(command('CompleteTask', { taskId: 't1' }))
        .then([completed('t1')]));
    it('refuses to complete twice', () =>
      given(...twoTasks, completed('t1'))
        .when(command('CompleteTask', { taskId: 't1' }))
        .thenThrows('TASK.ALREADY_COMPLETED'));
    it('reopens a completed task', () =>
      given(...twoTasks, completed('t1'))
        .when(command('ReopenTask', { taskId: 't1' }))
        .then([{ type: 'TaskReopened', data: { taskId: 't1' } }]));
    it('refuses to reopen an open task', () =>
      given(...twoTasks)
        .when(command('ReopenTask', { taskId: 't1' }))
        .thenThrows('TASK.NOT_COMPLETED'));
    it('refuses an unknown task', () =>
      given(...twoTasks)
        .when(command('CompleteTask', { taskId: 't-x' }))
        .thenThrows('TASK.NOT_FOUND'));
  });

  describe('ArchiveTask, RestoreTask and DeleteTask', () => {
    it('archives a task', () =>
      given(...twoTasks)
        .when(command('ArchiveTask', { taskId: 't1' }))
        .then([archived('t1')]));
    it('restores an archived task', () =>
      given(...twoTasks, archived('t1'))
        .when(command('RestoreTask', { taskId: 't1' }))
        .then([{ type: 'TaskRestored', data: { taskId: 't1' } }]));
    it('refuses to restore a task that is not archived', () =>
      given(...twoTasks)
        .when(command('RestoreTask', { taskId: 't1' }))
        .thenThrows('TASK.NOT_ARCHIVED'));
    it('deletes a task, archived or not', () => {
      given(...twoTasks)
        .when(command('DeleteTask', { taskId: 't1' }))
        .then([{ type: 'TaskDeleted', data: { taskId: 't1' } }]);
      given(...twoTasks, archived('t1'))
        .when(command('DeleteTask', { taskId: 't1' }))
        .then([{ type: 'TaskDeleted', data: { taskId: 't1' } }]);
    });
    it('forgets a deleted task', () =>
      given(...twoTasks, { type: 'TaskDeleted', data: { taskId: 't1' } })
        .when(command('DeleteTask', { taskId: 't1' }))
        .thenThrows('TASK.NOT_FOUND'));
    describe('when the task is archived', () => {
      const commands = [
        command('UpdateTask', { taskId: 't1', title: 'New' }),
        command('MoveTask', { taskId: 't1', columnId: DOING }),
        command('CompleteTask', { taskId: 't1' }),
        command('ReopenTask', { taskId: 't1' }),
        command('ArchiveTask', { taskId: 't1' }),
        command('AddComment', { taskId: 't1', commentId: 'c', body: 'Hi' }),
      ];
      it.each(commands.map((cmd) => [cmd.type, cmd] as const))('refuses %s', (_type, cmd) =>
        given(...twoTasks, archived('t1'))
          .when(cmd)
          .thenThrows('TASK.ARCHIVED'),
      );
    });
  });
});
