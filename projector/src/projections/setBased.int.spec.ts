/**
 * The set-based projection writes exactly the rows the projection it replaced wrote (one statement
 * per event, with a recount of the columns each change touched; kept as `testing/perEvent.*.testkit.ts`),
 * in every read-model table, however the events are batched (docs/adr/0019-set-based-projector.md):
 * seeded histories of several interleaved boards — undone deletes, comments, WIP limits, columns moved
 * and removed, and a board whose events put the hard cases into one batch — applied one event at a
 * time by the reference and in random batches with redeliveries, or all at once, by the projector.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { foldBoard, type BoardEvent, type Envelope, type Task } from '@primetrade/domain';
import { seededRandom, type Sql } from '@primetrade/platform';
import { compareReadModels, readModelBackends, readModelDdl } from '@primetrade/read-model';
import { applyInTransaction, type ProjectEvents } from '../applyBatch.js';
import { BoardStream } from '../testing/boardEvents.testkit.js';
import { boardHistories } from '../testing/boardHistory.testkit.js';
import { projectPerEvent } from '../testing/perEvent.tasks.testkit.js';
import { useDatabase } from '../testing/readModels.testkit.js';
import { statsScenario } from '../testing/statsScenario.testkit.js';
import { projectEvents } from './index.js';

/** A board whose history holds what batching could get wrong, on three days, the WIP limit crossed. */
function hardCases(): Envelope[] {
  const s = new BoardStream({ start: '2026-04-01T22:00:00.000Z' });
  const [todo, doing, done, spare] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [ann, bob] = [randomUUID(), randomUUID()];
  const events: Envelope[] = [
    ...s.create(),
    s.addMember(ann),
    s.addMember(bob),
    s.addColumn('To do', { id: todo, position: 'a' }),
    s.addColumn('Doing', { id: doing, position: 'b', wipLimit: 1 }),
    s.addColumn('Done', { id: done, position: 'c', isDone: true }),
    s.addColumn('Spare', { id: spare, position: 'd' }),
  ];
  const push = (event: BoardEvent, at?: string) => events.push(s.emit(event, at ? { at } : {}));
  const task = (columnId: string, fields: object = {}) => {
    const created = s.createTask(columnId, { assigneeIds: [ann], labels: ['x'], ...fields });
    events.push(created);
    return created.data.taskId;
  };
  const snapshot = (taskId: string): Task => {
    const state = foldBoard(events);
    if (state.status === 'initial') throw new Error('no board');
    return state.tasks[taskId]!;
  };
  const move = (taskId: string, from: string, to: string) =>
    push({
      type: 'TaskMoved',
      data: { taskId, fromColumnId: from, fromPosition: 'p', toColumnId: to, position: `m${s.revision}` },
    });

  // Moved twice: the last move wins; the cycle starts at the first move out of the first column.
  const twice = task(todo);
  move(twice, todo, doing);
  move(twice, doing, done);
  // Created and deleted: no task row, a deleted stats row, the flow back where it was.
  const brief = task(doing);
  push({ type: 'TaskDeleted', data: { taskId: brief } });
  // Assignees and labels added, removed and added again keep the order one at a time gives.
  const busy = task(doing, { assigneeIds: [ann, bob] });
  for (const event of [
    { type: 'TaskUnassigned', data: { taskId: busy, userId: ann } },
    { type: 'TaskAssigned', data: { taskId: busy, userId: bob } },
    { type: 'TaskAssigned', data: { taskId: busy, userId: ann } },
    { type: 'TaskLabelAdded', data: { taskId: busy, label: 'y' } },
    { type: 'TaskLabelRemoved', data: { taskId: busy, label: 'x' } },
    { type: 'TaskLabelAdded', data: { taskId: busy, label: 'x' } },
    { type: 'TaskTitleChanged', data: { taskId: busy, title: 'First' } },
    { type: 'TaskDueDateChanged', data: { taskId: busy, dueDate: '2026-05-01T10:00:00.000Z' } },
    { type: 'TaskDueDateChanged', data: { taskId: busy, dueDate: null } },
    { type: 'TaskTitleChanged', data: { taskId: busy, title: "O'Brien's $1" } },
    { type: 'TaskCompleted', data: { taskId: busy } },
    { type: 'CommentAdded', data: { taskId: busy, commentId: randomUUID(), body: 'kept' } },
  ] as BoardEvent[])
    push(event);
  // Commented, edited, deleted with its comments, brought back by an undo, commented again.
  const undone = task(todo);
  const first = randomUUID();
  push({ type: 'CommentAdded', data: { taskId: undone, commentId: first, body: 'one' } });
  push(
    { type: 'CommentEdited', data: { taskId: undone, commentId: first, body: 'one, edited' } },
    '2026-04-02T09:00:00.000Z',
  );
  move(undone, todo, doing);
  const before = snapshot(undone);
  push({ type: 'TaskDeleted', data: { taskId: undone } });
  push({ type: 'TaskReinstated', data: { taskId: undone, task: before } });
  const second = randomUUID();
  push({ type: 'CommentAdded', data: { taskId: undone, commentId: second, body: 'two' } });
  const comment = snapshot(undone).comments[second]!;
  push({ type: 'CommentDeleted', data: { taskId: undone, commentId: second } });
  push({ type: 'CommentReinstated', data: { taskId: undone, commentId: second, comment } });
  push({ type: 'CommentEdited', data: { taskId: undone, commentId: first, body: 'one, again' } });
  // The limit lowered, raised and removed around archives; the first column changes; a column goes.
  push({ type: 'ColumnWipLimitSet', data: { columnId: doing, wipLimit: 0 } }, '2026-04-03T08:00:00.000Z');
  push({ type: 'TaskArchived', data: { taskId: busy } });
  push({ type: 'TaskRestored', data: { taskId: busy } });
  push({ type: 'ColumnMoved', data: { columnId: doing, from: 'b', position: '0' } });
  const late = task(todo);
  move(late, todo, doing);
  move(late, doing, todo);
  push({ type: 'ColumnWipLimitSet', data: { columnId: doing, wipLimit: null } });
  push({ type: 'ColumnRemoved', data: { columnId: spare } });
  push({ type: 'TaskReopened', data: { taskId: busy } });
  push({ type: 'TaskCompleted', data: { taskId: twice, completedAt: '2026-04-01T23:00:00.000Z' } });
  return events;
}

/** The boards' events as a feed interleaves them: random runs of each, every board in its order. */
function interleave(histories: readonly (readonly Envelope[])[], random: () => number): Envelope[] {
  const queues = histories.map((history) => [...history]);
  const feed: Envelope[] = [];
  for (let left = queues.filter((queue) => queue.length > 0); left.length > 0;) {
    const queue = left[Math.floor(random() * left.length)]!;
    feed.push(...queue.splice(0, 1 + Math.floor(random() * 25)));
    left = queues.filter((candidate) => candidate.length > 0);
  }
  return feed;
}

describe.each(readModelBackends('setbased'))('The set-based projection on $name', ({ open }) => {
  let sql: Sql;
  useDatabase(open, (database) => (sql = database));

  async function freshSchema(): Promise<string> {
    const schema = `setbased_${randomBytes(5).toString('hex')}`;
    const ddl = await readModelDdl();
    await sql.tx(async (tx) => {
      await tx.exec(`CREATE SCHEMA ${schema}; SET LOCAL search_path TO ${schema}`);
      for (const statement of [...ddl.setup, ...ddl.deferredIndexes]) await tx.exec(statement);
    });
    return schema;
  }

  const apply = (schema: string, events: readonly Envelope[], project: ProjectEvents) =>
    sql.tx(async (tx) => {
      await tx.exec(`SET LOCAL search_path TO ${schema}`);
      return applyInTransaction(tx, events, project);
    });

  /** The reference, one event per transaction; its column counts recounted from its task_stats at the end. */
  async function reference(events: readonly Envelope[]): Promise<string> {
    const schema = await freshSchema();
    for (const event of events) await apply(schema, [event], projectPerEvent);
    await sql.exec(
      `INSERT INTO ${schema}.column_counts (board_id, column_id, tasks)
       SELECT board_id, column_id, count(*) FROM ${schema}.task_stats WHERE NOT archived AND NOT deleted
       GROUP BY board_id, column_id`,
    );
    return schema;
  }

  async function expectSameRows(expected: string, actual: string) {
    try {
      expect(await compareReadModels({ sql, schema: expected }, { sql, schema: actual })).toEqual([]);
    } finally {
      await sql.exec(`DROP SCHEMA ${expected} CASCADE; DROP SCHEMA ${actual} CASCADE`);
    }
  }

  it.each([3, 17])('equals one statement per event, in random batches with redeliveries (seed %i)', async (seed) => {
    const random = seededRandom(seed);
    const histories = [
      ...boardHistories({ boards: 3, eventsPerBoard: 120, seed }),
      statsScenario(seed, 150).events,
      hardCases(),
    ];
    const events = interleave(histories, random);
    const expected = await reference(events);
    const actual = await freshSchema();
    let applied = 0;
    for (let from = 0, previous = 0; from < events.length;) {
      const to = Math.min(events.length, from + 1 + Math.floor(random() * 120));
      applied += (await apply(actual, events.slice(random() < 0.3 ? previous : from, to), projectEvents)).applied;
      [previous, from] = [from, to];
    }
    expect(applied).toBe(events.length);
    await expectSameRows(expected, actual);
  });

  it('equals one statement per event with every event in one batch', async () => {
    const events = interleave([hardCases(), hardCases(), statsScenario(5, 150).events], seededRandom(5));
    const expected = await reference(events);
    const actual = await freshSchema();
    expect((await apply(actual, events, projectEvents)).applied).toBe(events.length);
    await expectSameRows(expected, actual);
  });
});
