import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Sql } from '@primetrade/platform';
import { applyEnvelopes, ProjectionGapError } from '../applyBatch.js';
import { BoardStream } from '../testing/boardEvents.testkit.js';
import { readModelBackends } from '@primetrade/read-model';
import { projectionSpec, readBoard, readRows, useDatabase } from '../testing/readModels.testkit.js';

const backends = readModelBackends('projector');

describe.each(backends)('Read-model projections on $name', ({ open }) => {
  let sql: Sql;
  useDatabase(open, (database) => (sql = database));

  const spec = () => projectionSpec(sql);

  /** A board with one column; `stream.revision` continues from here. */
  function boardWithColumn(options: { isDone?: boolean } = {}) {
    const stream = new BoardStream();
    const columnId = randomUUID();
    const history = [...stream.create('Roadmap', 'Q1'), stream.addColumn('To do', { id: columnId, ...options })];
    return { stream, columnId, history };
  }

  describe('boards', () => {
    it('creates the board with its creator, instants and revision', async () => {
      const stream = new BoardStream({ start: '2026-03-01T10:00:00.000Z' });
      await spec()
        .given()
        .when(
          stream.emit({ type: 'BoardCreated', data: { boardId: stream.boardId, name: 'Roadmap', description: 'Q1' } }),
        )
        .then('boards', [
          {
            id: stream.boardId,
            name: 'Roadmap',
            description: 'Q1',
            archived: false,
            created_by: stream.ownerId,
            created_at: '2026-03-01T10:00:00.000Z',
            updated_at: '2026-03-01T10:00:00.000Z',
            revision: 0,
          },
        ]);
    });

    it('renames it and moves its revision and updated_at to the rename', async () => {
      const stream = new BoardStream();
      const given = stream.create();
      const renamed = stream.emit(
        { type: 'BoardRenamed', data: { name: 'Launch' } },
        { at: '2026-04-01T00:00:00.000Z' },
      );
      await spec()
        .given(...given)
        .when(renamed)
        .then('boards', [{ name: 'Launch', revision: 2, updated_at: '2026-04-01T00:00:00.000Z' }]);
    });

    it('changes the description', async () => {
      const stream = new BoardStream();
      await spec()
        .given(...stream.create())
        .when(stream.emit({ type: 'BoardDescriptionChanged', data: { description: 'New plan' } }))
        .then('boards', [{ description: 'New plan' }]);
    });

    it('archives and restores it', async () => {
      const stream = new BoardStream();
      const given = stream.create();
      const archived = stream.emit({ type: 'BoardArchived', data: {} });
      await spec()
        .given(...given)
        .when(archived)
        .then('boards', [{ archived: true, revision: 2 }]);
      const restored = stream.emit({ type: 'BoardRestored', data: {} });
      await spec()
        .given(...given, archived)
        .when(restored)
        .then('boards', [{ archived: false, revision: 3 }]);
    });

    it('counts any event of the stream as a change of the board', async () => {
      const { stream, columnId, history } = boardWithColumn();
      const task = stream.createTask(columnId, { at: '2026-05-05T05:05:05.000Z' });
      await spec()
        .given(...history)
        .when(task)
        .then('boards', [{ revision: task.revision, updated_at: '2026-05-05T05:05:05.000Z' }]);
    });
  });

  describe('board members', () => {
    it('adds members with their role and the instant they joined', async () => {
      const stream = new BoardStream({ start: '2026-02-02T00:00:00.000Z' });
      const alice = randomUUID();
      const given = stream.create();
      const added = stream.addMember(alice, 'viewer');
      await spec()
        .given(...given)
        .when(added)
        .then(
          'board_members',
          [
            { user_id: stream.ownerId, role: 'owner', added_at: '2026-02-02T00:00:01.000Z' },
            { user_id: alice, role: 'viewer', added_at: added.occurredAt },
          ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
        );
    });

    it('changes a role and removes a member', async () => {
      const stream = new BoardStream();
      const [alice, bob] = [randomUUID(), randomUUID()];
      const given = [...stream.create(), stream.addMember(alice), stream.addMember(bob)];
      await spec()
        .given(...given)
        .when(
          stream.emit({ type: 'MemberRoleChanged', data: { userId: alice, from: 'editor', role: 'owner' } }),
          stream.emit({ type: 'MemberRemoved', data: { userId: bob } }),
        )
        .then(
          'board_members',
          [
            { user_id: stream.ownerId, role: 'owner' },
            { user_id: alice, role: 'owner' },
          ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
        );
    });
  });

  describe('board columns', () => {
    it('adds, renames, moves, limits and removes columns', async () => {
      const stream = new BoardStream();
      const [todo, doing, done] = [randomUUID(), randomUUID(), randomUUID()];
      const given = [
        ...stream.create(),
        stream.addColumn('To do', { id: todo, position: 'a0' }),
        stream.addColumn('Doing', { id: doing, position: 'a1' }),
        stream.addColumn('Done', { id: done, position: 'a2', isDone: true, wipLimit: 3 }),
      ];
      await spec()
        .given(...given)
        .when(
          stream.emit({ type: 'ColumnRenamed', data: { columnId: doing, name: 'In progress' } }),
          stream.emit({ type: 'ColumnMoved', data: { columnId: todo, from: 'a0', position: 'a1V' } }),
          stream.emit({ type: 'ColumnWipLimitSet', data: { columnId: doing, wipLimit: 2 } }),
          stream.emit({ type: 'ColumnWipLimitSet', data: { columnId: done, wipLimit: null } }),
        )
        .then('board_columns', [
          { id: doing, name: 'In progress', position: 'a1', is_done: false, wip_limit: 2 },
          { id: todo, name: 'To do', position: 'a1V', is_done: false, wip_limit: null },
          { id: done, name: 'Done', position: 'a2', is_done: true, wip_limit: null },
        ]);
      await spec()
        .given(...given)
        .when(stream.emit({ type: 'ColumnRemoved', data: { columnId: done } }))
        .then('board_columns', [{ id: doing }, { id: todo }]);
    });
  });

  describe('tasks', () => {
    it('creates a task with every field, its creator and the revision that created it', async () => {
      const { stream, columnId, history } = boardWithColumn();
      const assignee = randomUUID();
      const created = stream.createTask(columnId, {
        title: 'Write the spec',
        description: 'All of it',
        priority: 'urgent',
        dueDate: '2026-06-30T12:00:00.000Z',
        assigneeIds: [assignee],
        labels: ['docs', 'q1'],
        position: 'm',
      });
      await spec()
        .given(...history)
        .when(created)
        .then('tasks', [
          {
            id: created.data.taskId,
            column_id: columnId,
            position: 'm',
            title: 'Write the spec',
            description: 'All of it',
            priority: 'urgent',
            due_date: '2026-06-30T12:00:00.000Z',
            assignee_ids: [assignee],
            labels: ['docs', 'q1'],
            status: 'open',
            archived: false,
            created_by: stream.ownerId,
            created_at: created.occurredAt,
            updated_at: created.occurredAt,
            completed_at: null,
            revision: created.revision,
          },
        ]);
    });

    it('creates consecutive tasks of one batch with the same rows as one at a time', async () => {
      const { stream, columnId, history } = boardWithColumn();
      const [ann, ben] = [randomUUID(), randomUUID()].sort();
      const created = [
        stream.createTask(columnId, {
          title: 'One',
          assigneeIds: [ben ?? '', ann ?? ''],
          labels: ['x', 'y'],
          dueDate: '2026-08-01T10:30:00.000Z',
        }),
        stream.createTask(columnId, { title: 'Two', description: 'Second', priority: 'high', position: 'Zz' }),
        stream.createTask(columnId, { title: 'Three', actorId: ann ?? '' }),
      ];
      const expected = created.map((event) => ({
        id: event.data.taskId,
        column_id: columnId,
        position: event.data.position,
        title: event.data.title,
        description: event.data.description,
        priority: event.data.priority,
        due_date: event.data.dueDate,
        assignee_ids: event.data.assigneeIds,
        labels: event.data.labels,
        status: 'open',
        archived: false,
        created_by: event.actorId,
        created_at: event.occurredAt,
        updated_at: event.occurredAt,
        completed_at: null,
        revision: event.revision,
      }));
      await spec()
        .given(...history)
        .when(...created)
        .then(
          'tasks',
          expected.sort((a, b) => a.id.localeCompare(b.id)),
        );
    });

    it('changes title, description, priority and due date, keeping the revision of the last change', async () => {
      const { stream, columnId, history } = boardWithColumn();
      const created = stream.createTask(columnId, { dueDate: '2026-06-30T12:00:00.000Z' });
      const taskId = created.data.taskId;
      const changes = [
        stream.emit({ type: 'TaskTitleChanged', data: { taskId, title: 'Renamed' } }),
        stream.emit({ type: 'TaskDescriptionChanged', data: { taskId, description: 'Details' } }),
        stream.emit({ type: 'TaskPriorityChanged', data: { taskId, priority: 'low' } }),
        stream.emit({ type: 'TaskDueDateChanged', data: { taskId, dueDate: null } }),
      ];
      const last = changes[3];
      await spec()
        .given(...history, created)
        .when(...changes)
        .then('tasks', [
          {
            title: 'Renamed',
            description: 'Details',
            priority: 'low',
            due_date: null,
            revision: last?.revision,
            updated_at: last?.occurredAt,
            created_at: created.occurredAt,
          },
        ]);
    });

    it('moves a task to another column and position', async () => {
      const { stream, columnId, history } = boardWithColumn();
      const other = stream.addColumn('Doing');
      const created = stream.createTask(columnId, { position: 'a' });
      const moved = stream.emit({
        type: 'TaskMoved',
        data: {
          taskId: created.data.taskId,
          fromColumnId: columnId,
          fromPosition: 'a',
          toColumnId: other.data.columnId,
          position: 'b',
        },
      });
      await spec()
        .given(...history, other, created)
        .when(moved)
        .then('tasks', [{ column_id: other.data.columnId, position: 'b', revision: moved.revision }]);
    });

    it("gives a rebalanced column's tasks their new keys and the event's revision, and nothing else", async () => {
      const { stream, columnId, history } = boardWithColumn();
      const other = stream.addColumn('Doing');
      const tasks = ['V', 'V01', 'W'].map((position) =>
        stream.createTask(columnId, { position, at: '2026-02-01T00:00:00.000Z' }),
      );
      const elsewhere = stream.createTask(other.data.columnId, { position: 'V', at: '2026-02-01T00:00:00.000Z' });
      const rebalanced = stream.emit(
        {
          type: 'ColumnPositionsRebalanced',
          data: { columnId, positions: tasks.map((task, i) => ({ taskId: task.data.taskId, position: 'FUj'[i]! })) },
        },
        { at: '2026-03-01T00:00:00.000Z' },
      );
      const row = (task: (typeof tasks)[number], position: string, revision: number) => ({
        id: task.data.taskId,
        position,
        revision,
        updated_at: '2026-02-01T00:00:00.000Z',
      });
      const rows = [
        ...tasks.map((task, i) => row(task, 'FUj'[i]!, rebalanced.revision)),
        row(elsewhere, 'V', elsewhere.revision),
      ].sort((a, b) => (a.id < b.id ? -1 : 1));
      await spec()
        .given(...history, other, ...tasks, elsewhere)
        .when(rebalanced)
        .then('tasks', rows);
    });

    it('assigns each user once and unassigns them, keeping the order of assignment', async () => {
      const { stream, columnId, history } = boardWithColumn();
      const [ann, ben, cy] = [randomUUID(), randomUUID(), randomUUID()];
      const created = stream.createTask(columnId, { assigneeIds: [ann] });
      const taskId = created.data.taskId;
      await spec()
        .given(...history, created)
        .when(
          stream.emit({ type: 'TaskAssigned', data: { taskId, userId: ben } }),
          stream.emit({ type: 'TaskAssigned', data: { taskId, userId: ben } }),
          stream.emit({ type: 'TaskAssigned', data: { taskId, userId: cy } }),
          stream.emit({ type: 'TaskUnassigned', data: { taskId, userId: ann } }),
        )
        .then('tasks', [{ assignee_ids: [ben, cy] }]);
    });

    it('adds each label once and removes labels', async () => {
      const { stream, columnId, history } = boardWithColumn();
      const created = stream.createTask(columnId, { labels: ['bug'] });
      const taskId = created.data.taskId;
      await spec()
        .given(...history, created)
        .when(
          stream.emit({ type: 'TaskLabelAdded', data: { taskId, label: 'ui' } }),
          stream.emit({ type: 'TaskLabelAdded', data: { taskId, label: 'ui' } }),
          stream.emit({ type: 'TaskLabelRemoved', data: { taskId, label: 'bug' } }),
        )
        .then('tasks', [{ labels: ['ui'] }]);
    });

    it('completes a task at the instant of the event and reopens it', async () => {
      const { stream, columnId, history } = boardWithColumn();
      const created = stream.createTask(columnId);
      const taskId = created.data.taskId;
      const completed = stream.emit({ type: 'TaskCompleted', data: { taskId } });
      await spec()
        .given(...history, created)
        .when(completed)
        .then('tasks', [{ status: 'completed', completed_at: completed.occurredAt }]);
      await spec()
        .given(...history, created, completed)
        .when(stream.emit({ type: 'TaskReopened', data: { taskId } }))
        .then('tasks', [{ status: 'open', completed_at: null }]);
    });

    it('archives and restores a task', async () => {
      const { stream, columnId, history } = boardWithColumn();
      const created = stream.createTask(columnId);
      const taskId = created.data.taskId;
      const archived = stream.emit({ type: 'TaskArchived', data: { taskId } });
      await spec()
        .given(...history, created)
        .when(archived)
        .then('tasks', [{ archived: true }]);
      await spec()
        .given(...history, created, archived)
        .when(stream.emit({ type: 'TaskRestored', data: { taskId } }))
        .then('tasks', [{ archived: false }]);
    });

    it('deletes a task together with its comments', async () => {
      const { stream, columnId, history } = boardWithColumn();
      const created = stream.createTask(columnId);
      const taskId = created.data.taskId;
      const comment = stream.emit({ type: 'CommentAdded', data: { taskId, commentId: randomUUID(), body: 'hi' } });
      await spec()
        .given(...history, created, comment)
        .when(stream.emit({ type: 'TaskDeleted', data: { taskId } }))
        .then('tasks', []);
      expect(await readRows(sql, 'comments', stream.boardId)).toEqual([]);
    });
  });

  describe('comments', () => {
    it('adds a comment by its author, edits and deletes comments', async () => {
      const { stream, columnId, history } = boardWithColumn();
      const author = randomUUID();
      const member = stream.addMember(author);
      const created = stream.createTask(columnId);
      const taskId = created.data.taskId;
      const [first, second] = [randomUUID(), randomUUID()].sort();
      const firstAdded = stream.emit(
        { type: 'CommentAdded', data: { taskId, commentId: first ?? '', body: 'First' } },
        { actorId: author },
      );
      const given = [
        ...history,
        member,
        created,
        firstAdded,
        stream.emit({ type: 'CommentAdded', data: { taskId, commentId: second ?? '', body: 'Second' } }),
      ];
      const edited = stream.emit(
        { type: 'CommentEdited', data: { taskId, commentId: first ?? '', body: 'First!' } },
        { actorId: author },
      );
      await spec()
        .given(...given)
        .when(edited, stream.emit({ type: 'CommentDeleted', data: { taskId, commentId: second ?? '' } }))
        .then('comments', [
          {
            id: first,
            task_id: taskId,
            author_id: author,
            body: 'First!',
            created_at: firstAdded.occurredAt,
            edited_at: edited.occurredAt,
          },
        ]);
    });
  });

  describe('events the state cannot take (the domain never emits them; evolve ignores or overwrites them)', () => {
    it('ignores a comment on a task that does not exist instead of failing the batch', async () => {
      const { stream, history } = boardWithColumn();
      await spec()
        .given(...history)
        .when(
          stream.emit({
            type: 'CommentAdded',
            data: { taskId: randomUUID(), commentId: randomUUID(), body: 'orphan' },
          }),
        )
        .then('comments', []);
    });

    it('overwrites a member added twice, as evolve does', async () => {
      const stream = new BoardStream();
      await spec()
        .given(...stream.create())
        .when(stream.addMember(stream.ownerId, 'viewer'))
        .then('board_members', [{ user_id: stream.ownerId, role: 'viewer' }]);
    });
  });

  describe('the revision guard', () => {
    it('skips an event delivered twice in the same batch', async () => {
      const stream = new BoardStream();
      const [created, owner] = stream.create();
      const renamed = stream.emit({ type: 'BoardRenamed', data: { name: 'Once' } });
      const batch = [created, owner, renamed, owner, renamed].filter((event) => event !== undefined);
      expect(await applyEnvelopes(sql, batch)).toEqual({ applied: 3, skipped: 2, notifications: [] });
      expect(await readRows(sql, 'projection_checkpoints', stream.boardId)).toEqual([{ last_revision: 2 }]);
    });

    it('keeps the per-board order of interleaved boards in one batch', async () => {
      const [one, two] = [new BoardStream(), new BoardStream()];
      const [a, b] = [one.create(), two.create()];
      const batch = [a[0], b[0], a[1], b[1], one.emit({ type: 'BoardRenamed', data: { name: 'One' } })];
      expect(
        await applyEnvelopes(
          sql,
          batch.filter((event) => event !== undefined),
        ),
      ).toEqual({ applied: 5, skipped: 0, notifications: [] });
      expect((await readBoard(sql, one.boardId)).boards).toEqual([
        expect.objectContaining({ name: 'One', revision: 2 }),
      ]);
      expect((await readBoard(sql, two.boardId)).boards).toEqual([expect.objectContaining({ revision: 1 })]);
    });

    describe('when a revision is missing', () => {
      it('throws a ProjectionGapError naming the board, the expected and the received revision', async () => {
        const stream = new BoardStream();
        const given = stream.create();
        await applyEnvelopes(sql, given);
        stream.emit({ type: 'BoardRenamed', data: { name: 'Lost' } });
        const after = stream.emit({ type: 'BoardRenamed', data: { name: 'Later' } });
        const error = await applyEnvelopes(sql, [after]).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ProjectionGapError);
        expect(error).toMatchObject({ boardId: stream.boardId, expected: 2, got: 3 });
      });

      it('commits nothing of the batch, not even the events before the gap or of other boards', async () => {
        const [healthy, broken] = [new BoardStream(), new BoardStream()];
        const before = await readBoard(sql, broken.boardId);
        const brokenHistory = broken.create();
        const batch = [...healthy.create(), brokenHistory[0], brokenHistory[1]].filter((event) => event !== undefined);
        broken.emit({ type: 'BoardRenamed', data: { name: 'Lost' } });
        batch.push(broken.emit({ type: 'BoardRenamed', data: { name: 'Later' } }));
        await expect(applyEnvelopes(sql, batch)).rejects.toBeInstanceOf(ProjectionGapError);
        expect(await readBoard(sql, broken.boardId)).toEqual(before);
        expect(await readRows(sql, 'boards', healthy.boardId)).toEqual([]);
      });

      it('treats a new board that does not start at revision 0 as a gap', async () => {
        const stream = new BoardStream();
        stream.create();
        const late = stream.emit({ type: 'BoardRenamed', data: { name: 'x' } });
        await expect(applyEnvelopes(sql, [late])).rejects.toMatchObject({ expected: 0, got: 2 });
      });
    });
  });

  it('applies a batch of 500 events in one call', async () => {
    const { stream, columnId, history } = boardWithColumn();
    const tasks = Array.from({ length: 497 }, (_, index) => stream.createTask(columnId, { title: `Task ${index}` }));
    const started = performance.now();
    expect(await applyEnvelopes(sql, [...history, ...tasks])).toEqual({ applied: 500, skipped: 0, notifications: [] });
    const elapsed = performance.now() - started;
    expect(await readRows(sql, 'tasks', stream.boardId)).toHaveLength(497);
    expect(elapsed).toBeLessThan(10_000);
  });
});
