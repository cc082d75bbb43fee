/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '@primetrade/platform';
import { createBoardApiHarness, type BoardApiHarness, type Json } from '../boards/boardApi.testkit.js';
import type { RegisteredUser } from '../http/app.testkit.js';

const textTypes = ['text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED'];

/** Every (table, column) of a text-like type in every non-system schema, and the rows whose value contains `needle`. */
async function findEverywhere(sql: Sql, needle: string): Promise<string[]> {
  const columns = await sql.query<{ table_schema: string; table_name: string; column_name: string }>(
    `SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.data_type = ANY($1::text[])`,
    [textTypes],
  );
  const hits: string[] = [];
  for (const column of columns) {
    const target = `"${column.table_schema}"."${column.table_name}"`;
    const [row] = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${target} WHERE strpos(lower("${column.column_name}"::text), lower($1)) > 0`,
      [needle],
    );
    if ((row?.n ?? 0) > 0) hits.push(`${column.table_schema}.${column.table_name}.${column.column_name}`);
  }
  return hits;
}

describe('Data care: export and erasure of a person (GDPR)', () => {
  let h: BoardApiHarness;
  let admin: RegisteredUser;
  let owner: RegisteredUser;
  let person: RegisteredUser;
  let boardId: string;
  let taskId: string;
  const name = `Zelda Quux ${randomBytes(3).toString('hex')}`;
  const as = (user: RegisteredUser) => ({ token: user.accessToken });

  beforeAll(async () => {
    h = await createBoardApiHarness();
    admin = await h.app.registerUser({ name: 'Root Admin' });
    owner = await h.app.registerUser({ name: 'Olga Owner' });
    person = await h.app.registerUser({ name, email: `zelda.${randomBytes(3).toString('hex')}@example.test` });
    const board = await h.app.request<Json>('POST', '/boards', { ...as(owner), body: { name: 'Launch' } });
    boardId = board.body.board.id;
    // An idempotent request: its remembered answer holds the person's name and e-mail.
    const added = await h.app.request<Json>('POST', `/boards/${boardId}/members`, {
      ...as(owner),
      body: { email: person.email, role: 'editor' },
      headers: { 'Idempotency-Key': 'add-zelda' },
    });
    expect(added.status).toBe(201);
    const task = await h.app.request<Json>('POST', `/boards/${boardId}/tasks`, {
      ...as(person),
      body: { title: 'Write the launch post', assigneeIds: [person.user.id] },
    });
    taskId = task.body.id;
    expect(
      (await h.app.request('POST', `/tasks/${taskId}/comments`, { ...as(person), body: { body: 'Draft is up' } }))
        .status,
    ).toBe(201);
    expect((await h.app.request('POST', `/tasks/${taskId}/follow`, as(person))).status).toBeLessThan(300);
  });
  afterAll(async () => {
    await h.close();
  });

  describe('export', () => {
    it('gives the person everything about them, and never the password hash', async () => {
      const res = await h.app.request<Json>('GET', '/me/export', as(person));
      expect(res.status).toBe(200);
      expect(res.body.account).toMatchObject({ id: person.user.id, email: person.email, name });
      expect(res.body.boards).toEqual([expect.objectContaining({ boardId, name: 'Launch', role: 'editor' })]);
      expect(res.body.tasksCreated.map((t: Json) => t.id)).toEqual([taskId]);
      expect(res.body.tasksAssigned.map((t: Json) => t.id)).toEqual([taskId]);
      expect(res.body.comments.map((c: Json) => c.body)).toEqual(['Draft is up']);
      expect(res.body.history.map((e: Json) => e.type)).toEqual(['TaskCreated', 'CommentAdded']);
      expect(res.body.follows).toEqual([expect.objectContaining({ taskId, following: true })]);
      expect(Array.isArray(res.body.notifications)).toBe(true);
      expect(res.body.history.every((e: Json) => e.actorId === person.user.id && e.boardId === boardId)).toBe(true);
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);
    });

    it('lets an admin export anyone, and nobody else', async () => {
      expect(
        (await h.app.request<Json>('GET', `/admin/users/${person.user.id}/export`, as(admin))).body.account.id,
      ).toBe(person.user.id);
      const refused = await h.app.request<Json>('GET', `/admin/users/${person.user.id}/export`, as(owner));
      expect([refused.status, refused.body.code]).toEqual([403, 'AUTH.FORBIDDEN']);
      const bad = await h.app.request<Json>('GET', '/admin/users/not-a-uuid/export', as(admin));
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: Json) => e.field)).toContain('params.id');
    });
    it('shows nothing of a board the person has left but what they themselves set', async () => {
      const other = await h.app.registerUser({ name: 'Leaver Lou' });
      const board = await h.app.request<Json>('POST', '/boards', { ...as(owner), body: { name: 'Left behind' } });
      const leftBoard = board.body.board.id as string;
      await h.app.request('POST', `/boards/${leftBoard}/members`, {
        ...as(owner),
        body: { userId: other.user.id, role: 'editor' },
      });
      const task = await h.app.request<Json>('POST', `/boards/${leftBoard}/tasks`, {
        ...as(other),
        body: { title: 'Mine at first' },
      });
      await h.app.request('DELETE', `/boards/${leftBoard}/members/${other.user.id}`, as(owner));
      await h.app.request('PATCH', `/tasks/${task.body.id}`, {
        ...as(owner),
        body: { title: 'Secret plans', description: 'after Lou left' },
      });
      const res = await h.app.request<Json>('GET', '/me/export', as(other));
      expect(res.status).toBe(200);
      expect(res.body.tasksCreated).toEqual([]);
      expect(res.body.history.map((e: Json) => [e.boardId, e.type])).toEqual([[leftBoard, 'TaskCreated']]);
      expect(JSON.stringify(res.body)).not.toContain('Secret plans');
    });
  });

  describe('erasure', () => {
    it('is refused to non-admins and for bad ids, changing nothing', async () => {
      expect((await h.app.request('DELETE', `/admin/users/${person.user.id}`, as(owner))).status).toBe(403);
      const bad = await h.app.request<Json>('DELETE', '/admin/users/123', as(admin));
      expect([bad.status, bad.body.errors?.[0]?.field]).toEqual([400, 'params.id']);
      expect((await h.app.request('GET', '/me', as(person))).status).toBe(200);
    });

    it('is refused (409 USER.SOLE_OWNER, naming the boards) while the person is the only owner of a board in use, changing nothing', async () => {
      const solo = await h.app.registerUser({ name: 'Solo Sam' });
      const board = await h.app.request<Json>('POST', '/boards', { ...as(solo), body: { name: 'Solo board' } });
      const soloBoard = board.body.board.id as string;
      const archived = await h.app.request<Json>('POST', '/boards', { ...as(solo), body: { name: 'Old and empty' } });
      const oldBoard = archived.body.board.id as string;
      expect((await h.app.request('DELETE', `/boards/${oldBoard}`, as(solo))).status).toBe(200);
      const before = await h.store.streamRevision(`board-${soloBoard}`);

      const refused = await h.app.request<Json>('DELETE', `/admin/users/${solo.user.id}`, as(admin));
      expect([refused.status, refused.body.code]).toEqual([409, 'USER.SOLE_OWNER']);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body.detail).toContain('Solo board');
      expect(refused.body.detail).toContain('successorId');
      expect(refused.body.errors).toEqual([{ field: 'boards', message: `${soloBoard} Solo board` }]);
      expect(await h.store.streamRevision(`board-${soloBoard}`)).toBe(before);
      expect((await h.app.request('GET', '/me', as(solo))).status).toBe(200);

      // Another owner first: then the erasure goes through; the archived, empty board does not hold it up.
      expect(
        (
          await h.app.request('POST', `/boards/${soloBoard}/members`, {
            ...as(solo),
            body: { userId: owner.user.id, role: 'owner' },
          })
        ).status,
      ).toBe(201);
      const erased = await h.app.request<Json>('DELETE', `/admin/users/${solo.user.id}`, as(admin));
      expect(erased.status).toBe(200);
      const view = await h.app.request<Json>('GET', `/boards/${soloBoard}`, as(owner));
      expect(view.body.members.map((m: Json) => m.userId)).toEqual([owner.user.id]);
    });

    describe('with a successor named for the boards the person alone owns', () => {
      /** A person who alone owns two boards, a successor already an editor of the first and no member of the second. */
      async function soleOwnerOfTwoBoards() {
        const leaving = await h.app.registerUser({ name: 'Lena Leaving' });
        const successor = await h.app.registerUser({ name: 'Sid Successor' });
        const shared = (await h.app.request<Json>('POST', '/boards', { ...as(leaving), body: { name: 'Shared' } })).body
          .board.id as string;
        const hers = (await h.app.request<Json>('POST', '/boards', { ...as(leaving), body: { name: 'Hers alone' } }))
          .body.board.id as string;
        expect(
          (
            await h.app.request('POST', `/boards/${shared}/members`, {
              ...as(leaving),
              body: { userId: successor.user.id, role: 'editor' },
            })
          ).status,
        ).toBe(201);
        const task = await h.app.request<Json>('POST', `/boards/${hers}/tasks`, {
          ...as(leaving),
          body: { title: 'Her task', assigneeIds: [leaving.user.id] },
        });
        return { leaving, successor, shared, hers, taskId: task.body.id as string };
      }
      const revisions = async (...boardIds: string[]) =>
        Promise.all(boardIds.map((id) => h.store.streamRevision(`board-${id}`)));

      it('makes the successor an owner of each first (promoted or added, the admin as actor), then takes the person off and erases them', async () => {
        const { leaving, successor, shared, hers, taskId: herTask } = await soleOwnerOfTwoBoards();

        const erased = await h.app.request<Json>(
          'DELETE',
          `/admin/users/${leaving.user.id}?successorId=${successor.user.id}`,
          as(admin),
        );
        expect(erased.status).toBe(200);
        expect(erased.body.id).toBe(leaving.user.id);
        expect([...erased.body.successorAppointedIn].sort()).toEqual([shared, hers].sort());
        expect([...erased.body.removedFrom].sort()).toEqual([shared, hers].sort());

        const tail = async (boardId: string, count: number) =>
          (await h.store.readStream(`board-${boardId}`)).slice(-count).map((e) => [e.type, e.data, e.metadata.actorId]);
        expect(await tail(shared, 2)).toEqual([
          [
            'MemberRoleChanged',
            { userId: successor.user.id, from: 'editor', role: 'owner', succeeds: leaving.user.id },
            admin.user.id,
          ],
          ['MemberRemoved', { userId: leaving.user.id }, admin.user.id],
        ]);
        expect(await tail(hers, 3)).toEqual([
          ['MemberAdded', { userId: successor.user.id, role: 'owner', succeeds: leaving.user.id }, admin.user.id],
          ['TaskUnassigned', { taskId: herTask, userId: leaving.user.id }, admin.user.id],
          ['MemberRemoved', { userId: leaving.user.id }, admin.user.id],
        ]);
        for (const boardId of [shared, hers]) {
          const view = await h.app.request<Json>('GET', `/boards/${boardId}`, as(successor));
          expect(view.status).toBe(200);
          expect(view.body.members.map((m: Json) => [m.userId, m.role])).toEqual([[successor.user.id, 'owner']]);
        }
        const history = await h.app.request<Json>('GET', `/boards/${hers}/history`, as(successor));
        expect(JSON.stringify(history.body)).toContain(`succeeding ${leaving.user.id} (account erasure)`);
        expect(await h.sql.query('SELECT id FROM users WHERE id = $1', [leaving.user.id])).toEqual([]);
        expect((await h.app.request('GET', '/me', as(leaving))).status).toBe(401);
      });

      it('is documented in the OpenAPI description of the route', async () => {
        const doc = await h.app.request<Json>('GET', '/openapi.json');
        const route = doc.body.paths['/api/v1/admin/users/{id}'].delete;
        expect(route.parameters).toContainEqual(
          expect.objectContaining({ in: 'query', name: 'successorId', required: false }),
        );
        expect(route.responses['409'].description).toContain('successor');
      });

      it('refuses a malformed, unknown, disabled successor or the person themselves, changing nothing', async () => {
        const { leaving, successor, shared, hers } = await soleOwnerOfTwoBoards();
        const disabled = await h.app.registerUser({ name: 'Dora Disabled' });
        expect(
          (await h.app.request('PATCH', `/admin/users/${disabled.user.id}`, { ...as(admin), body: { disabled: true } }))
            .status,
        ).toBe(200);
        const before = await revisions(shared, hers);
        const erase = (successorId: string) =>
          h.app.request<Json>('DELETE', `/admin/users/${leaving.user.id}?successorId=${successorId}`, as(admin));
        const cases: [string, number, string][] = [
          ['not-a-uuid', 400, 'VALIDATION.FAILED'],
          [leaving.user.id, 400, 'VALIDATION.FAILED'],
          ['00000000-0000-4000-8000-000000000000', 404, 'USER.NOT_FOUND'],
          [disabled.user.id, 409, 'USER.ACCOUNT_INACTIVE'],
        ];
        for (const [successorId, status, code] of cases) {
          const refused = await erase(successorId);
          expect([successorId, refused.status, refused.body.code]).toEqual([successorId, status, code]);
          if (status !== 409) expect(refused.body.errors.map((e: Json) => e.field)).toContain('query.successorId');
        }
        expect(await revisions(shared, hers)).toEqual(before);
        expect((await h.app.request('GET', '/me', as(leaving))).status).toBe(200);
        const view = await h.app.request<Json>('GET', `/boards/${shared}`, as(leaving));
        const roles = Object.fromEntries((view.body.members as Json[]).map((m) => [m.userId, m.role]));
        expect(roles).toEqual({ [leaving.user.id]: 'owner', [successor.user.id]: 'editor' });
      });
    });

    it('removes the account and leaves no name or e-mail in any table; history keeps the id', async () => {
      expect(await findEverywhere(h.sql, name)).toContain('public.users.name');
      expect(await findEverywhere(h.sql, person.email)).toContain('public.users.email');
      expect(await findEverywhere(h.sql, name)).toContain('public.idempotency_keys.body');

      const erased = await h.app.request<Json>('DELETE', `/admin/users/${person.user.id}`, as(admin));
      expect(erased.status).toBe(200);
      expect(erased.body).toEqual({
        id: person.user.id,
        redactedAnswers: 1,
        removedFrom: [boardId],
        successorAppointedIn: [],
      });
      expect(await findEverywhere(h.sql, name)).toEqual([]);
      expect(await findEverywhere(h.sql, person.email)).toEqual([]);

      // Off the board through the board's own stream, by the admin: everyone sees it live and in history.
      const view = await h.app.request<Json>('GET', `/boards/${boardId}`, as(owner));
      expect(view.body.members.map((m: Json) => m.userId)).not.toContain(person.user.id);
      const stored = await h.store.readStream(`board-${boardId}`);
      expect(stored.slice(-2).map((e) => [e.type, e.data, e.metadata.actorId])).toEqual([
        ['TaskUnassigned', { taskId, userId: person.user.id }, admin.user.id],
        ['MemberRemoved', { userId: person.user.id }, admin.user.id],
      ]);
      const history = await h.app.request<Json>('GET', `/boards/${boardId}/history`, as(owner));
      expect(JSON.stringify(history.body)).toContain(person.user.id);
      expect(JSON.stringify(history.body)).not.toContain(name);
      // The replayed idempotent answer is still valid JSON, with the personal fields erased.
      const replayed = await h.app.request<Json>('POST', `/boards/${boardId}/members`, {
        ...as(owner),
        body: { email: person.email, role: 'editor' },
        headers: { 'Idempotency-Key': 'add-zelda' },
      });
      expect(JSON.stringify(replayed.body)).not.toContain(name);
    });

    it('kills the person’s sessions: access token, refresh token and password all fail', async () => {
      expect((await h.app.request('GET', '/me', as(person))).status).toBe(401);
      expect(
        (await h.app.request('POST', '/auth/refresh', { body: { refreshToken: person.refreshToken } })).status,
      ).toBe(401);
      expect(
        (await h.app.request('POST', '/auth/login', { body: { email: person.email, password: person.password } }))
          .status,
      ).toBe(401);
      const [left] = await h.sql.query<{ tokens: number; follows: number; notifications: number }>(
        `SELECT (SELECT count(*)::int FROM refresh_tokens WHERE user_id = $1) AS tokens, (SELECT count(*)::int FROM task_follows WHERE user_id = $1) AS follows,
                (SELECT count(*)::int FROM notifications WHERE user_id = $1) AS notifications`,
        [person.user.id],
      );
      expect(left).toEqual({ tokens: 0, follows: 0, notifications: 0 });
    });

    it('answers 404 for an erased or unknown person, and 409 for the last active admin', async () => {
      const again = await h.app.request<Json>('DELETE', `/admin/users/${person.user.id}`, as(admin));
      expect([again.status, again.body.code]).toEqual([404, 'USER.NOT_FOUND']);
      const last = await h.app.request<Json>('DELETE', `/admin/users/${admin.user.id}`, as(admin));
      expect([last.status, last.body.code]).toEqual([409, 'USER.LAST_ADMIN']);
    });
  });
});
