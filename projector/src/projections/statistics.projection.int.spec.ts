import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import type { Envelope } from '@primetrade/domain';
import type { Sql } from '@primetrade/platform';
import { BoardStream } from '../testing/boardEvents.testkit.js';
import { readModelBackends } from '@primetrade/read-model';
import { projectionSpec, useDatabase } from '../testing/readModels.testkit.js';

/**
 * The statistics projection, event by event. Every `then` also delivers the whole history a second
 * time and checks that no row of any read model changed (the revision guard makes it idempotent).
 */
describe.each(readModelBackends('statsprojection'))('Statistics projection on $name', ({ open }) => {
  let sql: Sql;
  useDatabase(open, (database) => (sql = database));

  const spec = () => projectionSpec(sql);

  /** To do (first) → Doing (WIP limit 1) → Done; instants one second apart from 2026-03-01T10:00:00Z. */
  function board() {
    const stream = new BoardStream({ start: '2026-03-01T10:00:00.000Z' });
    const [todo, doing, done] = [randomUUID(), randomUUID(), randomUUID()];
    const history: Envelope[] = [
      ...stream.create(),
      stream.addColumn('To do', { id: todo, position: 'a' }),
      stream.addColumn('Doing', { id: doing, position: 'b', wipLimit: 1 }),
      stream.addColumn('Done', { id: done, position: 'c', isDone: true }),
    ];
    const move = (taskId: string, from: string, to: string, at?: string) =>
      stream.emit(
        { type: 'TaskMoved', data: { taskId, fromColumnId: from, fromPosition: 'x', toColumnId: to, position: 'y' } },
        at ? { at } : {},
      );
    return { stream, todo, doing, done, history, move };
  }

  describe('a task', () => {
    it('starts its cycle when it first leaves the first column, and keeps that start', async () => {
      const { stream, todo, doing, history, move } = board();
      const task = stream.createTask(todo);
      const { taskId } = task.data;
      await spec()
        .given(...history, task)
        .when(
          move(taskId, todo, todo),
          move(taskId, todo, doing, '2026-03-02T09:00:00.000Z'),
          move(taskId, doing, todo),
          move(taskId, todo, doing),
        )
        .then('task_stats', [
          {
            task_id: taskId,
            column_id: doing,
            status: 'open',
            created_at: '2026-03-01T10:00:05.000Z',
            cycle_started_at: '2026-03-02T09:00:00.000Z',
          },
        ]);
    });

    it('created outside the first column starts its cycle at creation', async () => {
      const { stream, doing, history } = board();
      const task = stream.createTask(doing, { at: '2026-03-03T08:00:00.000Z' });
      await spec()
        .given(...history)
        .when(task)
        .then('task_stats', [{ cycle_started_at: '2026-03-03T08:00:00.000Z' }]);
    });

    it('keeps only its latest completion, and none once reopened', async () => {
      const { stream, todo, history } = board();
      const task = stream.createTask(todo);
      const { taskId } = task.data;
      await spec()
        .given(...history, task)
        .when(
          stream.emit({ type: 'TaskCompleted', data: { taskId } }),
          stream.emit({ type: 'TaskReopened', data: { taskId } }),
          stream.emit({ type: 'TaskCompleted', data: { taskId } }, { at: '2026-03-04T12:00:00.000Z' }),
        )
        .then('task_stats', [{ status: 'completed', completed_at: '2026-03-04T12:00:00.000Z' }]);
    });

    it('brought back by an undo is live again with its own instants and its cycle start', async () => {
      const { stream, todo, doing, history, move } = board();
      const task = stream.createTask(todo);
      const { taskId } = task.data;
      const moved = move(taskId, todo, doing, '2026-03-02T09:00:00.000Z');
      const completed = stream.emit({ type: 'TaskCompleted', data: { taskId } }, { at: '2026-03-03T09:00:00.000Z' });
      const snapshot = {
        id: taskId,
        columnId: doing,
        position: 'y',
        title: 'A task',
        description: '',
        priority: 'medium' as const,
        dueDate: null,
        assigneeIds: [],
        labels: [],
        status: 'completed' as const,
        archived: false,
        createdBy: stream.ownerId,
        createdAt: task.occurredAt,
        updatedAt: completed.occurredAt,
        completedAt: completed.occurredAt,
        comments: {},
      };
      await spec()
        .given(...history, task, moved, completed, stream.emit({ type: 'TaskDeleted', data: { taskId } }))
        .when(
          stream.emit({ type: 'TaskReinstated', data: { taskId, task: snapshot } }, { at: '2026-03-09T09:00:00.000Z' }),
        )
        .then('task_stats', [
          {
            deleted: false,
            column_id: doing,
            status: 'completed',
            created_at: task.occurredAt,
            completed_at: '2026-03-03T09:00:00.000Z',
            cycle_started_at: '2026-03-02T09:00:00.000Z',
          },
        ]);
    });

    it('deleted keeps its row, marked, and leaves the flow count', async () => {
      const { stream, todo, history } = board();
      const task = stream.createTask(todo);
      await spec()
        .given(...history, task)
        .when(stream.emit({ type: 'TaskDeleted', data: { taskId: task.data.taskId } }))
        .then('task_stats', [{ deleted: true, column_id: todo }]);
    });
  });

  describe('the flow', () => {
    it('records the count per column at the end of each day, archived tasks left out', async () => {
      const { stream, todo, doing, history, move } = board();
      const [a, b] = [stream.createTask(todo), stream.createTask(todo)];
      await spec()
        .given(...history, a, b)
        .when(
          move(a.data.taskId, todo, doing, '2026-03-02T10:00:00.000Z'),
          stream.emit({ type: 'TaskArchived', data: { taskId: b.data.taskId } }, { at: '2026-03-02T23:59:59.999Z' }),
          stream.emit({ type: 'TaskRestored', data: { taskId: b.data.taskId } }, { at: '2026-03-04T00:00:00.000Z' }),
        )
        .then(
          'column_flow',
          [
            { column_id: todo, day: '2026-03-01', tasks: 2 },
            { column_id: todo, day: '2026-03-02', tasks: 0 },
            { column_id: doing, day: '2026-03-02', tasks: 1 },
            { column_id: todo, day: '2026-03-04', tasks: 1 },
          ].sort((x, y) => (x.day < y.day ? -1 : x.day > y.day ? 1 : x.column_id < y.column_id ? -1 : 1)),
        );
    });
  });

  describe('WIP breaches', () => {
    it('open when a lowered limit leaves a column over it, track the peak, and end when it is back within', async () => {
      const { stream, todo, doing, history, move } = board();
      const setLimit = (wipLimit: number | null, at: string) =>
        stream.emit({ type: 'ColumnWipLimitSet', data: { columnId: doing, wipLimit } }, { at });
      const noLimit = setLimit(null, '2026-03-01T11:00:00.000Z');
      const [a, b, c] = [stream.createTask(doing), stream.createTask(todo), stream.createTask(todo)];
      await spec()
        .given(...history, noLimit, a, b, c, move(b.data.taskId, todo, doing), move(c.data.taskId, todo, doing))
        .when(
          setLimit(2, '2026-03-02T09:00:00.000Z'),
          stream.emit({ type: 'TaskArchived', data: { taskId: a.data.taskId } }, { at: '2026-03-02T10:00:00.000Z' }),
          setLimit(1, '2026-03-03T09:00:00.000Z'),
          setLimit(null, '2026-03-03T12:00:00.000Z'),
        )
        .then('wip_breaches', [
          {
            column_id: doing,
            started_at: '2026-03-02T09:00:00.000Z',
            ended_at: '2026-03-02T10:00:00.000Z',
            wip_limit: 2,
            peak_tasks: 3,
          },
          {
            column_id: doing,
            started_at: '2026-03-03T09:00:00.000Z',
            ended_at: '2026-03-03T12:00:00.000Z',
            wip_limit: 1,
            peak_tasks: 2,
          },
        ]);
    });

    it('stay open while the column is over its limit', async () => {
      const { stream, todo, doing, history } = board();
      const [a, b] = [stream.createTask(doing), stream.createTask(todo)];
      await spec()
        .given(...history, a, b)
        .when(
          stream.emit(
            {
              type: 'TaskMoved',
              data: { taskId: b.data.taskId, fromColumnId: todo, fromPosition: 'x', toColumnId: doing, position: 'z' },
            },
            { at: '2026-03-05T00:00:00.000Z' },
          ),
        )
        .then('wip_breaches', [
          { column_id: doing, started_at: '2026-03-05T00:00:00.000Z', ended_at: null, wip_limit: 1, peak_tasks: 2 },
        ]);
    });
  });
});
