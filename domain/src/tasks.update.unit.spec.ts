import { describe, it } from 'vitest';
import { EDITOR, OWNER, STRANGER, VIEWER, aBoard, command, given, taskCreated } from './board.testkit.js';

const board = [
  ...aBoard(),
  taskCreated('t1', {
    title: 'Fix login',
    description: 'Old',
    priority: 'low',
    dueDate: '2026-04-01T00:00:00Z',
    assigneeIds: [OWNER, EDITOR],
    labels: ['bug', 'ui'],
  }),
];
const update = (patch: Record<string, unknown>) => command('UpdateTask', { taskId: 't1', ...patch });

describe('UpdateTask', () => {
  it('emits one event per changed field', () =>
    given(...board)
      .when(update({ title: 'Fix sign-in', description: 'New', priority: 'high', dueDate: null }))
      .then([
        { type: 'TaskTitleChanged', data: { taskId: 't1', title: 'Fix sign-in' } },
        { type: 'TaskDescriptionChanged', data: { taskId: 't1', description: 'New' } },
        { type: 'TaskPriorityChanged', data: { taskId: 't1', priority: 'high' } },
        { type: 'TaskDueDateChanged', data: { taskId: 't1', dueDate: null } },
      ]));

  it('emits nothing for fields that keep their value', () =>
    given(...board)
      .when(
        update({
          title: ' Fix login ',
          description: 'Old',
          priority: 'low',
          dueDate: '2026-04-01T00:00:00Z',
          assigneeIds: [EDITOR, OWNER],
          labels: ['ui', 'bug'],
        }),
      )
      .then([]));

  it('emits nothing for an empty patch', () =>
    given(...board)
      .when(update({}))
      .then([]));

  it('assigns and unassigns by difference', () =>
    given(...board)
      .when(update({ assigneeIds: [EDITOR, VIEWER] }))
      .then([
        { type: 'TaskAssigned', data: { taskId: 't1', userId: VIEWER } },
        { type: 'TaskUnassigned', data: { taskId: 't1', userId: OWNER } },
      ]));

  it('adds and removes labels by difference, trimmed and deduplicated', () =>
    given(...board)
      .when(update({ labels: ['bug', ' backend ', 'backend'] }))
      .then([
        { type: 'TaskLabelAdded', data: { taskId: 't1', label: 'backend' } },
        { type: 'TaskLabelRemoved', data: { taskId: 't1', label: 'ui' } },
      ]));

  it('accepts a due date with an offset', () =>
    given(...board)
      .when(update({ dueDate: '2026-05-01T09:30:00.123+02:00' }))
      .then([{ type: 'TaskDueDateChanged', data: { taskId: 't1', dueDate: '2026-05-01T09:30:00.123+02:00' } }]));

  it('refuses an assignee who is not a member', () =>
    given(...board)
      .when(update({ assigneeIds: [STRANGER] }))
      .thenThrows('TASK.ASSIGNEE_NOT_MEMBER'));

  it('refuses an unknown task', () =>
    given(...board)
      .when(command('UpdateTask', { taskId: 't-x', title: 'X' }))
      .thenThrows('TASK.NOT_FOUND'));

  describe('when a field is invalid', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['title', { title: '' }],
      ['title', { title: 'x'.repeat(201) }],
      ['description', { description: 'x'.repeat(10_001) }],
      ['priority', { priority: 'soon' }],
      ['dueDate', { dueDate: '2026-13-01T00:00:00Z' }],
      ['dueDate', { dueDate: '2026-04-01' }],
      ['labels[1]', { labels: ['ok', '   '] }],
      ['labels', { labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }],
      ['assigneeIds', { assigneeIds: Array.from({ length: 21 }, (_, i) => `u${i}`) }],
    ];
    it.each(cases)('refuses a bad %s and changes nothing', (field, patch) =>
      given(...board)
        .when(update({ title: 'Valid change', ...patch }))
        .thenThrows('VALIDATION.FAILED', field),
    );
  });
});
