/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxPositionKeyLength } from '@primetrade/domain';
import {
  createBoardApiHarness,
  createBoardFixture,
  storeRevision,
  type BoardApiHarness,
  type BoardFixture,
} from '../boards/boardApi.testkit.js';

let api: BoardApiHarness;
let board: BoardFixture;

beforeAll(async () => {
  api = await createBoardApiHarness();
  board = await createBoardFixture(api);
});
afterAll(async () => api.close());

const createTask = (fixture: BoardFixture, body: Record<string, unknown>, as = fixture.editor) =>
  api.request('POST', `/boards/${fixture.boardId}/tasks`, { as, body });

describe('Board API: tasks', () => {
  describe('when a POST with an Idempotency-Key acted but its answer was lost (the key released, as after a 5xx)', () => {
    it('refuses the retry as already existing instead of creating a twin', async () => {
      const headers = { 'idempotency-key': `lost-${randomUUID()}` };
      const first = await api.request('POST', `/boards/${board.boardId}/tasks`, {
        as: board.editor,
        body: { title: 'Only once' },
        headers,
      });
      expect(first.status).toBe(201);
      await api.sql.query('DELETE FROM idempotency_keys WHERE key = $1', [headers['idempotency-key']]);
      const retry = await api.request('POST', `/boards/${board.boardId}/tasks`, {
        as: board.editor,
        body: { title: 'Only once' },
        headers,
      });
      expect(retry.status).toBe(409);
      expect(retry.body.code).toBe('TASK.ALREADY_EXISTS');
      const found = await api.request('GET', `/boards/${board.boardId}/tasks?q=once`, { as: board.editor });
      expect(found.body.items.filter((task: { title: string }) => task.title === 'Only once')).toHaveLength(1);
    });
  });

  describe('when a due date comes with an offset or extra precision', () => {
    it('stores it in one canonical UTC form, so the command answer, the events and GET agree', async () => {
      const response = await createTask(board, { title: 'Offset', dueDate: '2026-05-01T10:00:00.123456+02:00' });
      expect(response.status).toBe(201);
      expect(response.body.dueDate).toBe('2026-05-01T08:00:00.123Z');
      const read = await api.request('GET', `/tasks/${response.body.id}`, { as: board.viewer });
      expect(read.body.dueDate).toBe('2026-05-01T08:00:00.123Z');
    });
  });

  describe('when an editor creates a task', () => {
    it('answers 201 with the task, its Location and the revision', async () => {
      const response = await createTask(board, {
        title: '  Ship it  ',
        description: 'All of it',
        priority: 'high',
        dueDate: '2026-12-24T18:00:00.000Z',
        assigneeIds: [board.editor],
        labels: ['release'],
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        boardId: board.boardId,
        columnId: board.columns[0]?.id,
        title: 'Ship it',
        priority: 'high',
        status: 'open',
        assigneeIds: [board.editor],
        labels: ['release'],
        createdBy: board.editor,
        archived: false,
      });
      expect(response.headers.get('location')).toBe(`/api/v1/tasks/${response.body.id}`);
      expect(response.headers.get('etag')).toBe(`W/"${await storeRevision(api, board.boardId)}"`);
      const read = await api.request('GET', `/tasks/${response.body.id}`, { as: board.viewer });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(response.body);
    });

    it('refuses a viewer (403) and a non-member (404), changing nothing', async () => {
      const before = await storeRevision(api, board.boardId);
      const byViewer = await createTask(board, { title: 'Nope' }, board.viewer);
      expect(byViewer.status).toBe(403);
      const byStranger = await createTask(board, { title: 'Nope' }, board.stranger);
      expect(byStranger.status).toBe(404);
      expect(await storeRevision(api, board.boardId)).toBe(before);
    });
  });

  describe('when a task goes through its life', () => {
    it('is patched, moved, completed, reopened, archived, restored and deleted', async () => {
      const fixture = await createBoardFixture(api);
      const [todo, doing, done] = fixture.columns;
      const first = await createTask(fixture, { title: 'First', columnId: doing?.id });
      const task = await createTask(fixture, { title: 'Second', columnId: doing?.id, beforeTaskId: first.body.id });
      const taskId = task.body.id as string;
      expect(task.body.position < first.body.position).toBe(true);

      const patched = await api.request('PATCH', `/tasks/${taskId}`, {
        as: fixture.editor,
        body: { title: 'Second, better', dueDate: null, labels: ['a', 'b'], assigneeIds: [fixture.viewer] },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        title: 'Second, better',
        dueDate: null,
        labels: ['a', 'b'],
        assigneeIds: [fixture.viewer],
      });

      const moved = await api.request('POST', `/tasks/${taskId}/move`, {
        as: fixture.editor,
        body: { columnId: todo?.id },
      });
      expect(moved.status).toBe(200);
      expect(moved.body.columnId).toBe(todo?.id);

      const completed = await api.request('POST', `/tasks/${taskId}/complete`, { as: fixture.editor });
      expect(completed.body.status).toBe('completed');
      const twice = await api.request('POST', `/tasks/${taskId}/complete`, { as: fixture.editor });
      expect(twice.status).toBe(409);
      expect(twice.body.code).toBe('TASK.ALREADY_COMPLETED');
      const reopened = await api.request('POST', `/tasks/${taskId}/reopen`, { as: fixture.editor });
      expect(reopened.body.status).toBe('open');

      const intoDone = await api.request('POST', `/tasks/${taskId}/move`, {
        as: fixture.editor,
        body: { columnId: done?.id },
      });
      expect(intoDone.body).toMatchObject({ columnId: done?.id, status: 'completed' });

      const archived = await api.request('POST', `/tasks/${taskId}/archive`, { as: fixture.editor });
      expect(archived.body.archived).toBe(true);
      const restored = await api.request('POST', `/tasks/${taskId}/restore`, { as: fixture.editor });
      expect(restored.body.archived).toBe(false);

      const deleted = await api.request('DELETE', `/tasks/${taskId}`, { as: fixture.editor });
      expect(deleted.status).toBe(204);
      expect(deleted.headers.get('etag')).toBe(`W/"${await storeRevision(api, fixture.boardId)}"`);
      const gone = await api.request('GET', `/tasks/${taskId}`, { as: fixture.editor });
      expect(gone.status).toBe(404);
      expect(gone.body.code).toBe('TASK.NOT_FOUND');
    });

    it('answers 404 TASK.NOT_FOUND on every task route for a non-member, and for an unknown id', async () => {
      const task = await createTask(board, { title: 'Private' });
      const routes: [string, string, unknown?][] = [
        ['GET', ''],
        ['PATCH', '', { title: 'x' }],
        ['DELETE', ''],
        ['POST', '/move', { columnId: board.columns[0]?.id }],
        ['POST', '/complete'],
        ['POST', '/reopen'],
        ['POST', '/archive'],
        ['POST', '/restore'],
        ['GET', '/comments'],
        ['POST', '/comments', { body: 'hi' }],
      ];
      const before = await storeRevision(api, board.boardId);
      for (const [method, suffix, body] of routes) {
        const response = await api.request(method, `/tasks/${task.body.id}${suffix}`, { as: board.stranger, body });
        expect(response.status, `${method} ${suffix}`).toBe(404);
        expect(response.body.code).toBe('TASK.NOT_FOUND');
      }
      // An id nobody knows waits out the read-model grace period (1 s) first: three routes suffice.
      const unknownIdRoutes: [string, string, unknown?][] = [
        ['GET', ''],
        ['PATCH', '', { title: 'x' }],
        ['POST', '/comments', { body: 'hi' }],
      ];
      for (const [method, suffix, body] of unknownIdRoutes) {
        const response = await api.request(method, `/tasks/${randomUUID()}${suffix}`, { as: board.owner, body });
        expect(response.status, `${method} ${suffix}`).toBe(404);
        expect(response.body.code).toBe('TASK.NOT_FOUND');
      }
      expect(await storeRevision(api, board.boardId)).toBe(before);
    });

    it('refuses a viewer on every task write (403)', async () => {
      const task = await createTask(board, { title: 'Look, no touching' });
      const before = await storeRevision(api, board.boardId);
      for (const [method, suffix, body] of [
        ['PATCH', '', { title: 'x' }],
        ['DELETE', ''],
        ['POST', '/complete'],
        ['POST', '/archive'],
      ] as const) {
        const response = await api.request(method, `/tasks/${task.body.id}${suffix}`, { as: board.viewer, body });
        expect(response.status, `${method} ${suffix}`).toBe(403);
      }
      expect(await storeRevision(api, board.boardId)).toBe(before);
    });

    it('answers 412 on a stale If-Match', async () => {
      const task = await createTask(board, { title: 'Conditional' });
      const stale = task.headers.get('etag') ?? '';
      await api.request('PATCH', `/tasks/${task.body.id}`, { as: board.editor, body: { priority: 'low' } });
      const before = await storeRevision(api, board.boardId);
      const response = await api.request('PATCH', `/tasks/${task.body.id}`, {
        as: board.editor,
        body: { title: 'Late' },
        headers: { 'If-Match': stale },
      });
      expect(response.status).toBe(412);
      expect(response.body.code).toBe('REVISION.MISMATCH');
      expect(await storeRevision(api, board.boardId)).toBe(before);
    });
  });

  describe('when moves keep squeezing cards between the same neighbours', () => {
    it('renumbers the column in the same append, keeps keys short and the order, and undoes that move', async () => {
      const fixture = await createBoardFixture(api);
      const columnId = fixture.columns[0]?.id;
      const order: string[] = [];
      for (const title of ['A', 'B', 'C'])
        order.push((await createTask(fixture, { title, columnId })).body.id as string);
      const revisionOf = (response: { headers: Headers }) =>
        Number(/\d+/.exec(response.headers.get('etag') ?? '')?.[0]);
      let before = await storeRevision(api, fixture.boardId);
      let orderBefore: string[] = [];
      // The last card right after the first, again and again, until one move appends two events.
      for (let move = 0; move < 120; move++) {
        const last = order.at(-1)!;
        orderBefore = [...order];
        const moved = await api.request('POST', `/tasks/${last}/move`, {
          as: fixture.editor,
          body: { columnId, afterTaskId: order[0] },
        });
        expect(moved.status).toBe(200);
        order.splice(order.length - 1, 1);
        order.splice(1, 0, last);
        if (revisionOf(moved) === before + 2) break;
        before = revisionOf(moved);
      }
      const stored = await api.store.readStream(`board-${fixture.boardId}`);
      const [rebalance, move] = stored.slice(-2);
      expect([rebalance?.type, move?.type]).toEqual(['ColumnPositionsRebalanced', 'TaskMoved']);
      expect(rebalance?.metadata.correlationId).toBe(move?.metadata.correlationId);

      const page = await api.request('GET', `/boards/${fixture.boardId}/tasks?columnId=${columnId}&sort=position`, {
        as: fixture.viewer,
        headers: { 'min-revision': String(move?.revision) },
      });
      const listed = page.body.items as { id: string; position: string }[];
      expect(listed.map((task) => task.id)).toEqual(order);
      expect(Math.max(...listed.map((task) => task.position.length))).toBeLessThanOrEqual(maxPositionKeyLength);

      const undone = await api.request('POST', `/boards/${fixture.boardId}/undo`, {
        as: fixture.editor,
        body: { revision: Number(rebalance?.revision) },
      });
      expect(undone.status).toBe(200);
      expect(undone.body.events.map((event: { type: string }) => event.type)).toEqual(['TaskMoved']);
      const after = await api.request('GET', `/boards/${fixture.boardId}/tasks?columnId=${columnId}&sort=position`, {
        as: fixture.viewer,
        headers: { 'min-revision': String(revisionOf(undone)) },
      });
      expect(after.body.items.map((task: { id: string }) => task.id)).toEqual(orderBefore);
    });
  });

  describe('when many clients write to one board at once', () => {
    it('lands every command through implicit retries, with a contiguous revision sequence', async () => {
      const fixture = await createBoardFixture(api);
      const start = await storeRevision(api, fixture.boardId);
      const writers = [fixture.owner, fixture.editor];
      const responses = await Promise.all(
        Array.from({ length: 16 }, (_, index) => createTask(fixture, { title: `Task ${index}` }, writers[index % 2])),
      );
      expect(responses.map((response) => response.status)).toEqual(responses.map(() => 201));
      const etags = responses
        .map((response) => Number(/\d+/.exec(response.headers.get('etag') ?? '')?.[0]))
        .sort((a, b) => a - b);
      expect(etags).toEqual(Array.from({ length: 16 }, (_, index) => start + 1 + index));
      const events = await api.request('GET', `/boards/${fixture.boardId}/events`, { as: fixture.owner });
      expect(events.body.events.map((event: { revision: number }) => event.revision)).toEqual(
        Array.from({ length: start + 17 }, (_, index) => index),
      );
    });
  });
});

describe('Board API: task search', () => {
  let fixture: BoardFixture;
  beforeAll(async () => {
    fixture = await createBoardFixture(api);
    const [todo, doing] = fixture.columns;
    const specs = [
      {
        title: 'Alpha rocket',
        priority: 'urgent',
        labels: ['space'],
        assigneeIds: [fixture.editor],
        columnId: todo?.id,
        dueDate: '2026-12-01T00:00:00Z',
      },
      { title: 'Beta balloon', priority: 'low', labels: ['air'], columnId: doing?.id, dueDate: '2026-12-20T00:00:00Z' },
      {
        title: 'Gamma glider',
        priority: 'medium',
        labels: ['air', 'space'],
        assigneeIds: [fixture.owner],
        columnId: todo?.id,
      },
      { title: 'Delta drone', priority: 'high', columnId: doing?.id, description: 'rocket fuel inside' },
      { title: 'Epsilon', priority: 'low', columnId: todo?.id },
    ];
    for (const body of specs) await createTask(fixture, body);
  });

  const titles = (response: { body: { items: { title: string }[] } }) => response.body.items.map((item) => item.title);
  const search = (query: string, as = fixture.viewer) =>
    api.request('GET', `/boards/${fixture.boardId}/tasks?${query}`, { as });

  it('filters by column, label, priority, assignee, due dates and full text', async () => {
    const [todo] = fixture.columns;
    expect(titles(await search(`columnId=${todo?.id}`))).toEqual(['Alpha rocket', 'Gamma glider', 'Epsilon']);
    expect(titles(await search('label=air&sort=title'))).toEqual(['Beta balloon', 'Gamma glider']);
    expect(titles(await search('priority=low&sort=title'))).toEqual(['Beta balloon', 'Epsilon']);
    expect(titles(await search(`assigneeId=${fixture.editor}`))).toEqual(['Alpha rocket']);
    expect(titles(await search('assigneeId=me', fixture.owner))).toEqual(['Gamma glider']);
    expect(titles(await search('dueBefore=2026-12-10T00:00:00Z'))).toEqual(['Alpha rocket']);
    expect(titles(await search('dueAfter=2026-12-10T00:00:00Z'))).toEqual(['Beta balloon']);
    expect(titles(await search('q=rocket&sort=title'))).toEqual(['Alpha rocket', 'Delta drone']);
    expect(titles(await search('sort=priority&order=desc&limit=2'))).toEqual(['Alpha rocket', 'Delta drone']);
  });

  it('pages with a cursor without losing or repeating a task', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { title: string }[]; nextCursor: string | null } } = await search(
        `sort=title&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...titles(page));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(['Alpha rocket', 'Beta balloon', 'Delta drone', 'Epsilon', 'Gamma glider']);
  });

  it('searches across all my boards and never shows another board', async () => {
    const mine = await api.request('GET', '/tasks?assigneeId=me', { as: fixture.editor });
    expect(mine.status).toBe(200);
    expect(titles(mine)).toContain('Alpha rocket');
    expect(mine.body.items.every((item: { assigneeIds: string[] }) => item.assigneeIds.includes(fixture.editor))).toBe(
      true,
    );
    const strangers = await api.request('GET', '/tasks', { as: fixture.stranger });
    expect(strangers.body.items).toEqual([]);
  });
});

describe('Board API: comments', () => {
  it('adds, lists, edits and deletes comments; viewers read only, only the author edits, owners may delete', async () => {
    const task = await createTask(board, { title: 'Discuss' });
    const path = `/tasks/${task.body.id}/comments`;
    const byViewer = await api.request('POST', path, { as: board.viewer, body: { body: 'read-only' } });
    expect(byViewer.status).toBe(403);
    const added = await api.request('POST', path, {
      as: board.editor,
      body: { body: '  <script>alert(1)</script>  ' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      taskId: task.body.id,
      authorId: board.editor,
      body: '<script>alert(1)</script>',
      editedAt: null,
    });
    const commentId = added.body.id as string;

    const listed = await api.request('GET', path, { as: board.viewer });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: commentId, body: '<script>alert(1)</script>' })]);

    const notAuthor = await api.request('PATCH', `${path}/${commentId}`, {
      as: board.owner,
      body: { body: 'mine now' },
    });
    expect(notAuthor.status).toBe(403);
    expect(notAuthor.body.code).toBe('COMMENT.NOT_AUTHOR');
    const edited = await api.request('PATCH', `${path}/${commentId}`, { as: board.editor, body: { body: 'calmer' } });
    expect(edited.status).toBe(200);
    expect(edited.body.body).toBe('calmer');
    expect(edited.body.editedAt).not.toBeNull();

    const deleted = await api.request('DELETE', `${path}/${commentId}`, { as: board.owner });
    expect(deleted.status).toBe(204);
    const unknown = await api.request('DELETE', `${path}/${randomUUID()}`, { as: board.owner });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('COMMENT.NOT_FOUND');
    expect((await api.request('GET', path, { as: board.editor })).body.items).toEqual([]);
  });
});
