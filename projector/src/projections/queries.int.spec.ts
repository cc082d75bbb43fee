import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError, type Envelope, type TaskDto } from '@primetrade/domain';
import type { Sql } from '@primetrade/platform';
import {
  createMigratedPglite,
  getBoardRevision,
  getBoardView,
  getMemberRole,
  getTask,
  listBoardsForUser,
  listComments,
  searchTasks,
  taskSortKeys,
  type TaskSearch,
} from '@primetrade/read-model';
import { applyEnvelopes } from '../applyBatch.js';
import { BoardStream } from '../testing/boardEvents.testkit.js';

let sql: Sql;
const [alice, bob, carol, ghost] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

async function addUser(id: string, name: string) {
  await sql.query(`INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, $2, $3, 'x', 'user')`, [
    id,
    `${name.toLowerCase()}@example.test`,
    name,
  ]);
}

async function project(...events: readonly Envelope[]) {
  await applyEnvelopes(sql, events);
}

async function expectValidationError(promise: Promise<unknown>, field: string) {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(DomainError);
  expect(error).toMatchObject({ code: 'VALIDATION.FAILED', details: [expect.objectContaining({ field })] });
}

/** Board "Launch": alice owns it, bob edits, ghost (no account) views; two columns, five tasks. */
const launch = new BoardStream({ ownerId: alice, start: '2026-01-10T08:00:00.000Z' });
const [todo, done] = [randomUUID(), randomUUID()];
const task = {} as Record<'spec' | 'milk' | 'bug' | 'archived' | 'finished', Envelope & { data: { taskId: string } }>;
/** Board "Private": alice only. Board "Elsewhere": carol only. */
const privateBoard = new BoardStream({ ownerId: alice, start: '2026-01-05T08:00:00.000Z' });
const elsewhere = new BoardStream({ ownerId: carol, start: '2026-01-20T08:00:00.000Z' });

beforeAll(async () => {
  sql = await createMigratedPglite();
  await addUser(alice, 'Alice');
  await addUser(bob, 'Bob');
  await addUser(carol, 'Carol');
  const history: Envelope[] = [
    ...launch.create('Launch', 'Ship it'),
    launch.addMember(bob, 'editor'),
    launch.addMember(ghost, 'viewer'),
    launch.addColumn('Done', { id: done, position: 'b', isDone: true }),
    launch.addColumn('To do', { id: todo, position: 'a' }),
  ];
  task.spec = launch.createTask(todo, {
    title: 'Write the launch spec',
    description: 'Scope and risks',
    priority: 'high',
    position: 'a1',
    dueDate: '2026-02-01T00:00:00.000Z',
    assigneeIds: [bob],
    labels: ['docs'],
  });
  task.milk = launch.createTask(todo, {
    title: 'Buy milk for the team',
    priority: 'low',
    position: 'a0',
    labels: ['chores'],
  });
  task.bug = launch.createTask(todo, {
    title: 'Fix login bug',
    description: 'Users cannot sign in with uppercase emails',
    priority: 'urgent',
    position: 'a2',
    dueDate: '2026-01-15T00:00:00.000Z',
    assigneeIds: [alice, bob],
    labels: ['bug', 'auth'],
  });
  task.archived = launch.createTask(todo, { title: 'Old idea', position: 'a3' });
  task.finished = launch.createTask(done, { title: 'Kickoff meeting', position: 'b0' });
  history.push(...Object.values(task));
  history.push(
    launch.emit({ type: 'TaskArchived', data: { taskId: task.archived.data.taskId } }),
    launch.emit({ type: 'TaskCompleted', data: { taskId: task.finished.data.taskId } }),
    launch.emit({
      type: 'CommentAdded',
      data: { taskId: task.spec.data.taskId, commentId: randomUUID(), body: 'First' },
    }),
    launch.emit(
      { type: 'CommentAdded', data: { taskId: task.spec.data.taskId, commentId: randomUUID(), body: 'Second' } },
      { actorId: bob },
    ),
  );
  await project(...history, ...privateBoard.create('Private'), ...elsewhere.create('Elsewhere'));
  await project(elsewhere.createTask(randomUUID(), { title: 'Carol writes a launch spec too' }));
});
afterAll(() => sql.close());

const search = (filter: Partial<TaskSearch> = {}) =>
  searchTasks(sql, { viewerId: alice, boardId: launch.boardId, sort: 'position', order: 'asc', limit: 50, ...filter });
const titles = (page: { items: readonly TaskDto[] }) => page.items.map((item) => item.title);

describe('Board queries', () => {
  describe('listBoardsForUser', () => {
    it("lists the user's boards with their role, most recently changed first", async () => {
      const page = await listBoardsForUser(sql, alice, { limit: 10 });
      expect(page.items.map((board) => [board.name, board.role])).toEqual([
        ['Launch', 'owner'],
        ['Private', 'owner'],
      ]);
      expect(page.items[0]).toMatchObject({
        id: launch.boardId,
        description: 'Ship it',
        archived: false,
        createdBy: alice,
        revision: launch.revision,
      });
      expect(page.nextCursor).toBeNull();
    });

    it('shows a non-member nothing of the board', async () => {
      expect((await listBoardsForUser(sql, carol, { limit: 10 })).items.map((board) => board.name)).toEqual([
        'Elsewhere',
      ]);
      expect(await listBoardsForUser(sql, randomUUID(), { limit: 10 })).toEqual({ items: [], nextCursor: null });
    });

    it('leaves archived boards out unless asked for', async () => {
      const archivedBoard = new BoardStream({ ownerId: bob });
      await project(...archivedBoard.create('Archived'), archivedBoard.emit({ type: 'BoardArchived', data: {} }));
      expect((await listBoardsForUser(sql, bob, { limit: 10 })).items.map((board) => board.name)).toEqual(['Launch']);
      const all = await listBoardsForUser(sql, bob, { limit: 10, includeArchived: true });
      expect(all.items.map((board) => [board.name, board.archived])).toEqual([
        ['Launch', false],
        ['Archived', true],
      ]);
    });

    it('pages through every board exactly once, even when boards changed at the same instant', async () => {
      const user = randomUUID();
      const boards = Array.from(
        { length: 9 },
        (_, index) => new BoardStream({ ownerId: user, start: `2026-03-0${1 + (index % 3)}T00:00:00.000Z` }),
      );
      await project(...boards.flatMap((board) => board.create()));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listBoardsForUser(sql, user, { limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((board) => board.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(9);
      expect(new Set(seen)).toEqual(new Set(boards.map((board) => board.boardId)));
    });

    it('refuses a malformed cursor with VALIDATION.FAILED on query.cursor', async () => {
      for (const cursor of [
        'not a cursor',
        'bm90IGpzb24',
        Buffer.from('[1,2]').toString('base64url'),
        Buffer.from('["x","y"]').toString('base64url'),
      ]) {
        await expectValidationError(listBoardsForUser(sql, alice, { limit: 10, cursor }), 'query.cursor');
      }
    });
  });

  describe('getBoardView', () => {
    it('returns the board with columns by position, tasks by column then position, and named members', async () => {
      const view = await getBoardView(sql, launch.boardId);
      expect(view?.board).toMatchObject({ id: launch.boardId, name: 'Launch', revision: launch.revision });
      expect(view?.revision).toBe(launch.revision);
      expect(view?.columns.map((column) => [column.name, column.isDone])).toEqual([
        ['To do', false],
        ['Done', true],
      ]);
      expect(view?.tasks.map((item) => item.title)).toEqual([
        'Buy milk for the team',
        'Write the launch spec',
        'Fix login bug',
        'Old idea',
        'Kickoff meeting',
      ]);
      expect(view?.members.map((member) => [member.name, member.role])).toEqual([
        ['Alice', 'owner'],
        ['Bob', 'editor'],
        ['', 'viewer'],
      ]);
    });

    it('returns tasks as TaskDto with ISO instants', async () => {
      const view = await getBoardView(sql, launch.boardId);
      expect(view?.tasks.find((item) => item.id === task.bug.data.taskId)).toEqual({
        id: task.bug.data.taskId,
        boardId: launch.boardId,
        columnId: todo,
        position: 'a2',
        title: 'Fix login bug',
        description: 'Users cannot sign in with uppercase emails',
        priority: 'urgent',
        dueDate: '2026-01-15T00:00:00.000Z',
        assigneeIds: [alice, bob],
        labels: ['bug', 'auth'],
        status: 'open',
        archived: false,
        createdBy: alice,
        createdAt: task.bug.occurredAt,
        updatedAt: task.bug.occurredAt,
        completedAt: null,
      });
    });

    it('returns null for an unknown or malformed board id', async () => {
      expect(await getBoardView(sql, randomUUID())).toBeNull();
      expect(await getBoardView(sql, 'nope')).toBeNull();
    });
  });

  describe('getMemberRole and getBoardRevision', () => {
    it("answers a member's role, null for others", async () => {
      expect(await getMemberRole(sql, launch.boardId, bob)).toBe('editor');
      expect(await getMemberRole(sql, launch.boardId, carol)).toBeNull();
    });

    it("answers the board's projected revision, null for an unknown board", async () => {
      expect(await getBoardRevision(sql, launch.boardId)).toBe(launch.revision);
      expect(await getBoardRevision(sql, randomUUID())).toBeNull();
    });
  });
});

describe('Task queries', () => {
  describe('searchTasks', () => {
    it('lists the open, non-archived tasks of a board in position order by default filters', async () => {
      expect(titles(await search())).toEqual([
        'Buy milk for the team',
        'Write the launch spec',
        'Fix login bug',
        'Kickoff meeting',
      ]);
    });

    describe('when the viewer is not a member', () => {
      it('finds nothing on that board, not even with a matching filter', async () => {
        expect(await search({ viewerId: carol })).toEqual({ items: [], nextCursor: null });
        expect(
          (await searchTasks(sql, { viewerId: carol, q: 'launch', sort: 'title', order: 'asc', limit: 10 })).items.map(
            (item) => item.boardId,
          ),
        ).toEqual([elsewhere.boardId]);
      });
    });

    it('searches across all boards of the viewer when no board is given', async () => {
      const page = await searchTasks(sql, { viewerId: alice, q: 'spec', sort: 'title', order: 'asc', limit: 10 });
      expect(titles(page)).toEqual(['Write the launch spec']);
    });

    it('filters by column, assignee, label, priority and status', async () => {
      expect(titles(await search({ columnId: done }))).toEqual(['Kickoff meeting']);
      expect(titles(await search({ assigneeId: bob }))).toEqual(['Write the launch spec', 'Fix login bug']);
      expect(titles(await search({ assigneeId: alice }))).toEqual(['Fix login bug']);
      expect(titles(await search({ label: 'chores' }))).toEqual(['Buy milk for the team']);
      expect(titles(await search({ priority: 'urgent' }))).toEqual(['Fix login bug']);
      expect(titles(await search({ status: 'completed' }))).toEqual(['Kickoff meeting']);
      expect(titles(await search({ status: 'open', label: 'bug', assigneeId: bob }))).toEqual(['Fix login bug']);
    });

    it('shows archived tasks only when asked for', async () => {
      expect(titles(await search({ archived: true }))).toEqual(['Old idea']);
    });

    it('filters by due date, excluding tasks without one', async () => {
      expect(titles(await search({ dueBefore: '2026-01-20T00:00:00.000Z' }))).toEqual(['Fix login bug']);
      expect(titles(await search({ dueAfter: '2026-01-20T00:00:00.000Z' }))).toEqual(['Write the launch spec']);
      await expectValidationError(search({ dueBefore: 'tomorrow-ish' }), 'query.dueBefore');
    });

    describe('full-text search', () => {
      it('matches words of the title and the description', async () => {
        expect(titles(await search({ q: 'login' }))).toEqual(['Fix login bug']);
        expect(titles(await search({ q: 'uppercase' }))).toEqual(['Fix login bug']);
        expect(titles(await search({ q: 'Risks SCOPE' }))).toEqual(['Write the launch spec']);
      });

      it('matches the last word as a prefix while typing', async () => {
        expect(titles(await search({ q: 'buy mil' }))).toEqual(['Buy milk for the team']);
        expect(titles(await search({ q: 'laun' }))).toEqual(['Write the launch spec']);
      });

      it('understands web-search syntax: phrases, OR and exclusion', async () => {
        expect(titles(await search({ q: '"login bug"' }))).toEqual(['Fix login bug']);
        expect(titles(await search({ q: 'milk or login' }))).toEqual(['Buy milk for the team', 'Fix login bug']);
        expect(titles(await search({ q: 'the -milk' }))).toEqual(['Write the launch spec']);
      });

      it('treats SQL and operators in q as text', async () => {
        expect(titles(await search({ q: "'; DROP TABLE tasks; -- & | ! :* (" }))).toEqual([]);
        expect(titles(await search({ q: '   ' }))).toHaveLength(4);
      });
    });

    it('hides the tasks of boards the viewer left', async () => {
      const board = new BoardStream({ ownerId: carol });
      const history = [...board.create(), board.addMember(bob)];
      const column = board.addColumn('x');
      await project(...history, column, board.createTask(column.data.columnId, { title: 'Secret' }));
      expect(titles(await search({ viewerId: bob, boardId: board.boardId }))).toEqual(['Secret']);
      await project(board.emit({ type: 'MemberRemoved', data: { userId: bob } }));
      expect(titles(await search({ viewerId: bob, boardId: board.boardId }))).toEqual([]);
    });

    it('refuses a malformed cursor, or one from another sort key', async () => {
      await expectValidationError(search({ cursor: '!!' }), 'query.cursor');
      const byTitle = await search({ sort: 'title', limit: 1 });
      await expectValidationError(search({ sort: 'createdAt', cursor: byTitle.nextCursor ?? '' }), 'query.cursor');
    });
  });

  describe('getTask', () => {
    it('returns the task to a member and null to anyone else', async () => {
      expect(await getTask(sql, task.spec.data.taskId, bob)).toMatchObject({
        title: 'Write the launch spec',
        labels: ['docs'],
      });
      expect(await getTask(sql, task.spec.data.taskId, carol)).toBeNull();
      expect(await getTask(sql, randomUUID(), alice)).toBeNull();
    });
  });

  describe('listComments', () => {
    it('lists the comments of a task, oldest first, with their authors', async () => {
      const comments = await listComments(sql, task.spec.data.taskId);
      expect(comments.map((comment) => [comment.body, comment.authorId, comment.editedAt])).toEqual([
        ['First', alice, null],
        ['Second', bob, null],
      ]);
      expect(comments[0]?.taskId).toBe(task.spec.data.taskId);
      expect(comments[0]?.createdAt).toMatch(/^2026-01-10T08:\d\d:\d\d\.000Z$/);
    });
  });
});

describe('Task search pagination', () => {
  const viewer = randomUUID();
  const board = new BoardStream({ ownerId: viewer, start: '2026-06-01T00:00:00.000Z' });
  const tasks: TaskDto[] = [];
  const priorities = ['low', 'medium', 'high', 'urgent'] as const;
  // Mixed case on purpose: position keys sort in byte order ('Z' < 'a').
  const positions = ['a', 'Z', 'a0', 'B', 'b'];

  beforeAll(async () => {
    const history = board.create();
    const column = board.addColumn('Only');
    history.push(column);
    // 61 tasks over few distinct values of every sort key: ties everywhere, a third without due date.
    for (let index = 0; index < 61; index += 1) {
      history.push(
        board.createTask(column.data.columnId, {
          title: ['Alpha', 'beta', 'Gamma'][index % 3] ?? '',
          priority: priorities[index % 4] ?? 'low',
          position: positions[index % 5] ?? 'a',
          dueDate: index % 3 === 0 ? null : `2026-07-0${1 + (index % 4)}T00:00:00.000Z`,
          at: `2026-06-0${1 + (index % 2)}T00:00:00.000Z`,
        }),
      );
    }
    await project(...history);
    const all = await searchTasks(sql, { viewerId: viewer, sort: 'createdAt', order: 'asc', limit: 1000 });
    tasks.push(...all.items);
  });

  async function pageThrough(sort: TaskSearch['sort'], order: TaskSearch['order']): Promise<TaskDto[]> {
    const seen: TaskDto[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages += 1) {
      const page = await searchTasks(sql, {
        viewerId: viewer,
        boardId: board.boardId,
        sort,
        order,
        limit: 7,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items);
      if (page.nextCursor === null) return seen;
      cursor = page.nextCursor;
    }
    throw new Error('pagination did not end');
  }

  const rank = (item: TaskDto) => priorities.indexOf(item.priority);
  const comparable: Record<TaskSearch['sort'], ((item: TaskDto) => string | number) | null> = {
    position: (item) => Buffer.from(item.position).toString('hex'),
    createdAt: (item) => item.createdAt,
    updatedAt: (item) => item.updatedAt,
    dueDate: null,
    priority: rank,
    title: null,
  };

  it('has 61 tasks to page through', () => {
    expect(tasks).toHaveLength(61);
  });

  for (const sort of taskSortKeys) {
    for (const order of ['asc', 'desc'] as const) {
      it(`yields every task exactly once sorted by ${sort} ${order}`, async () => {
        const seen = await pageThrough(sort, order);
        expect(seen).toHaveLength(61);
        expect(new Set(seen.map((item) => item.id))).toEqual(new Set(tasks.map((item) => item.id)));
        const key = comparable[sort];
        if (key) {
          const keys = seen.map(key);
          const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          expect(keys).toEqual(order === 'asc' ? sorted : sorted.reverse());
        }
      });
    }
  }

  it('puts tasks without a due date last in both orders', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const seen = await pageThrough('dueDate', order);
      const firstNull = seen.findIndex((item) => item.dueDate === null);
      expect(firstNull).toBe(40);
      expect(seen.slice(firstNull).every((item) => item.dueDate === null)).toBe(true);
      const dates = seen.slice(0, firstNull).map((item) => item.dueDate ?? '');
      const sorted = [...dates].sort();
      expect(dates).toEqual(order === 'asc' ? sorted : sorted.reverse());
    }
  });
});
