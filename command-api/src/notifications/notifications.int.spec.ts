/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  type BoardApiHarness,
  type BoardFixture,
  type Json,
} from '../boards/boardApi.testkit.js';

describe('Notifications API', () => {
  let api: BoardApiHarness;
  let board: BoardFixture;
  let taskId: string;

  const notificationsOf = async (userId: string, query = '') =>
    (await api.request('GET', `/notifications${query}`, { as: userId })).body;
  const assign = (userId: string, as: string) =>
    api.request('PATCH', `/tasks/${taskId}`, { as, body: { assigneeIds: [userId] } });

  beforeAll(async () => {
    api = await createBoardApiHarness();
    board = await createBoardFixture(api);
    const created = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.owner,
      body: { title: 'Write the post' },
    });
    taskId = created.body.id;
    expect((await assign(board.editor, board.owner)).status).toBe(200);
  });
  afterAll(() => api.close());

  describe('GET /notifications', () => {
    it("lists my notifications with who did what, and not the actor's own", async () => {
      const mine = await notificationsOf(board.editor);
      expect(mine.items).toEqual([
        expect.objectContaining({
          kind: 'assigned',
          taskId,
          boardId: board.boardId,
          taskTitle: 'Write the post',
          actorId: board.owner,
          actorName: 'Olga',
          readAt: null,
        }),
      ]);
      expect(mine.unreadCount).toBe(1);
      expect((await notificationsOf(board.owner)).items).toEqual([]);
    });

    it("never shows anyone else's notifications", async () => {
      expect(await notificationsOf(board.stranger)).toEqual({ items: [], nextCursor: null, unreadCount: 0 });
    });

    it('pages newest first with a cursor, every notification once', async () => {
      for (const title of ['a', 'b', 'c'])
        await api.request('PATCH', `/tasks/${taskId}`, { as: board.owner, body: { title } });
      const all = (await notificationsOf(board.editor, '?limit=100')).items as Json[];
      expect(all.length).toBe(4);
      const first = await notificationsOf(board.editor, '?limit=3');
      const second = await notificationsOf(board.editor, `?limit=3&cursor=${first.nextCursor}`);
      expect([...first.items, ...second.items].map((item: Json) => item.id)).toEqual(all.map((item) => item.id));
      expect(second.nextCursor).toBeNull();
      expect(all.map((item) => item.createdAt)).toEqual([...all.map((item) => item.createdAt)].sort().reverse());
    });

    it.each([
      ['?limit=0', 'query.limit'],
      ['?limit=101', 'query.limit'],
      ['?unread=yes', 'query.unread'],
      ['?cursor=not-a-cursor!', 'query.cursor'],
      [`?cursor=${Buffer.from('["x","y"]').toString('base64url')}`, 'query.cursor'],
    ])('refuses %s with a 400 naming %s', async (query, field) => {
      const response = await api.request('GET', `/notifications${query}`, { as: board.editor });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION.FAILED');
      expect(response.body.errors.map((error: Json) => error.field)).toContain(field);
    });
  });

  describe('marking read', () => {
    it('marks one of mine read; unread=true then leaves it out', async () => {
      const [newest] = (await notificationsOf(board.editor)).items as Json[];
      expect((await api.request('POST', `/notifications/${newest.id}/read`, { as: board.editor })).status).toBe(204);
      const unread = await notificationsOf(board.editor, '?unread=true');
      expect(unread.items.map((item: Json) => item.id)).not.toContain(newest.id);
      expect(unread.unreadCount).toBe(unread.items.length);
    });

    it("answers 404 NOTIFICATION.NOT_FOUND for someone else's notification and leaves it unread", async () => {
      const [oldest] = ((await notificationsOf(board.editor, '?unread=true')).items as Json[]).slice(-1);
      const response = await api.request('POST', `/notifications/${oldest.id}/read`, { as: board.stranger });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOTIFICATION.NOT_FOUND');
      expect((await notificationsOf(board.editor, '?unread=true')).items.map((item: Json) => item.id)).toContain(
        oldest.id,
      );
    });

    it('answers 404 for an unknown id and 400 naming params.id for a malformed one', async () => {
      expect(
        (await api.request('POST', '/notifications/00000000-0000-4000-8000-000000000000/read', { as: board.editor }))
          .body.code,
      ).toBe('NOTIFICATION.NOT_FOUND');
      const malformed = await api.request('POST', '/notifications/42/read', { as: board.editor });
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors.map((error: Json) => error.field)).toContain('params.id');
    });

    it('marks all of mine read and only mine', async () => {
      const response = await api.request('POST', '/notifications/read-all', { as: board.editor });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ marked: expect.any(Number), unreadCount: 0 });
      expect(response.body.marked).toBeGreaterThan(0);
      expect((await notificationsOf(board.editor, '?unread=true')).items).toEqual([]);
    });
  });

  describe('following a task', () => {
    it('lets a member who is not involved follow, and the creator stop following', async () => {
      expect((await api.request('POST', `/tasks/${taskId}/follow`, { as: board.viewer })).body).toEqual({
        taskId,
        following: true,
      });
      expect((await api.request('DELETE', `/tasks/${taskId}/follow`, { as: board.owner })).body).toEqual({
        taskId,
        following: false,
      });
      await api.request('POST', `/tasks/${taskId}/complete`, { as: board.editor });
      expect((await notificationsOf(board.viewer)).items.map((item: Json) => [item.kind, item.summary])).toEqual([
        ['followed', 'completed “c”'],
      ]);
      expect((await notificationsOf(board.owner)).items).toEqual([]);
    });

    it("answers a stranger with the task's 404", async () => {
      const response = await api.request('POST', `/tasks/${taskId}/follow`, { as: board.stranger });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('TASK.NOT_FOUND');
    });
  });

  describe('when the person leaves the board', () => {
    it("no longer lists that board's notifications, nor counts them unread", async () => {
      const before = await notificationsOf(board.viewer);
      expect(before.items.length).toBeGreaterThan(0);
      expect(before.unreadCount).toBeGreaterThan(0);
      expect(
        (await api.request('DELETE', `/boards/${board.boardId}/members/${board.viewer}`, { as: board.owner })).status,
      ).toBe(204);
      expect(await notificationsOf(board.viewer)).toEqual({ items: [], nextCursor: null, unreadCount: 0 });
    });
  });

  it('requires a token on every notification route', async () => {
    for (const [method, path] of [
      ['GET', '/notifications'],
      ['POST', '/notifications/read-all'],
      ['POST', `/notifications/${taskId}/read`],
      ['POST', `/tasks/${taskId}/follow`],
    ] as const) {
      expect((await api.request(method, path)).status, `${method} ${path}`).toBe(401);
    }
  });

  it('is in the OpenAPI document', async () => {
    const paths = Object.keys((await api.request('GET', '/api/v1/openapi.json')).body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/notifications',
        '/api/v1/notifications/{id}/read',
        '/api/v1/notifications/read-all',
        '/api/v1/tasks/{taskId}/follow',
      ]),
    );
  });
});
