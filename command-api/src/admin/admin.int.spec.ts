import type { Page, UserDto } from '@primetrade/domain';
import { subscribeAccountRevocations } from '@primetrade/platform';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type RegisteredUser, type TestApp } from '../http/app.testkit.js';

interface ProblemBody {
  code: string;
  detail: string;
  errors?: { field?: string }[];
}

describe('Admin API', () => {
  let t: TestApp;
  let admin: RegisteredUser;
  let users: RegisteredUser[];

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.registerUser({ email: 'root@example.test', name: 'Root' });
    users = [];
    for (const name of ['Carol', 'Dave', 'Erin', 'Frank'])
      users.push(await t.registerUser({ email: `${name.toLowerCase()}@example.test`, name }));
  });
  afterAll(async () => {
    await t.close();
  });

  const user = (i: number): RegisteredUser => {
    const found = users[i];
    if (!found) throw new Error(`no user ${i}`);
    return found;
  };

  describe('for a non-admin', () => {
    it('answers 403 AUTH.FORBIDDEN on every admin endpoint', async () => {
      const token = user(0).accessToken;
      const list = await t.request<ProblemBody>('GET', '/admin/users', { token });
      const patch = await t.request<ProblemBody>('PATCH', `/admin/users/${user(1).user.id}`, {
        token,
        body: { role: 'admin' },
      });
      expect([list.status, patch.status]).toEqual([403, 403]);
      expect(list.body.code).toBe('AUTH.FORBIDDEN');
      expect((await t.request<UserDto>('GET', '/me', { token: user(1).accessToken })).body.role).toBe('user');
    });

    it('answers 401 without a token', async () => {
      expect((await t.request('GET', '/admin/users')).status).toBe(401);
    });
  });

  describe('GET /admin/users', () => {
    it('pages through every account in email order', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${cursor}` : '';
        const res = await t.request<Page<UserDto>>('GET', `/admin/users?limit=2${query}`, { token: admin.accessToken });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((item) => item.email));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([
        'carol@example.test',
        'dave@example.test',
        'erin@example.test',
        'frank@example.test',
        'root@example.test',
      ]);
    });

    it('filters by q in email or name, taking wildcards literally', async () => {
      const byName = await t.request<Page<UserDto>>('GET', '/admin/users?q=ERI', { token: admin.accessToken });
      expect(byName.body.items.map((item) => item.name)).toEqual(['Erin']);
      const wildcard = await t.request<Page<UserDto>>('GET', '/admin/users?q=%25', { token: admin.accessToken });
      expect(wildcard.body.items).toEqual([]);
    });

    // Cursors found by the OpenAPI fuzz: well-formed base64url that decodes to a NUL or to bytes that are not UTF-8.
    const tampered = (bytes: number[]) => `cursor=${Buffer.from(bytes).toString('base64url')}`;
    it.each([
      ['limit=0', 'query.limit'],
      ['limit=abc', 'query.limit'],
      ['cursor=***', 'query.cursor'],
      [tampered([0x61, 0x00, 0x62]), 'query.cursor'],
      [tampered([0xff, 0xfe, 0x61]), 'query.cursor'],
      ['cursor=1gDe-__1-0_s', 'query.cursor'],
    ])('answers 400 to %s', async (query, field) => {
      const res = await t.request<ProblemBody>('GET', `/admin/users?${query}`, { token: admin.accessToken });
      expect(res.status).toBe(400);
      expect(res.body.errors?.map((error) => error.field)).toContain(field);
    });
  });

  describe('PATCH /admin/users/:id', () => {
    it('promotes a user to admin', async () => {
      const res = await t.request<UserDto>('PATCH', `/admin/users/${user(0).user.id}`, {
        token: admin.accessToken,
        body: { role: 'admin' },
      });
      expect(res.status).toBe(200);
      expect(res.body.role).toBe('admin');
      const list = await t.request('GET', '/admin/users', { token: user(0).accessToken });
      expect(list.status).toBe(200);
    });

    describe('when an account is disabled', () => {
      it('locks it out at once: API 403, login 403, refresh refused, its sockets told to drop', async () => {
        const target = user(1);
        const revoked: string[] = [];
        const stop = await subscribeAccountRevocations(t.sql, (userId) => revoked.push(userId));
        const res = await t.request<UserDto>('PATCH', `/admin/users/${target.user.id}`, {
          token: admin.accessToken,
          body: { disabled: true },
        });
        expect(res.body.disabled).toBe(true);
        const api = await t.request<ProblemBody>('GET', '/me', { token: target.accessToken });
        expect(api.status).toBe(403);
        expect(api.body.code).toBe('AUTH.ACCOUNT_DISABLED');
        const login = await t.request<ProblemBody>('POST', '/auth/login', {
          body: { email: target.email, password: target.password },
        });
        expect(login.status).toBe(403);
        expect(login.body.code).toBe('AUTH.ACCOUNT_DISABLED');
        const refresh = await t.request('POST', '/auth/refresh', { body: { refreshToken: target.refreshToken } });
        expect(refresh.status).toBe(401);
        await vi.waitFor(() => expect(revoked).toEqual([target.user.id]));
        await stop();
      });

      it('lets it back in when enabled again', async () => {
        const target = user(1);
        await t.request('PATCH', `/admin/users/${target.user.id}`, {
          token: admin.accessToken,
          body: { disabled: false },
        });
        const login = await t.request('POST', '/auth/login', {
          body: { email: target.email, password: target.password },
        });
        expect(login.status).toBe(200);
      });
    });

    describe('when the change would leave no active admin', () => {
      it('refuses with 409 USER.LAST_ADMIN and changes nothing', async () => {
        const solo = await startTestApp();
        try {
          const only = await solo.registerUser();
          for (const body of [{ role: 'user' }, { disabled: true }]) {
            const res = await solo.request<ProblemBody>('PATCH', `/admin/users/${only.user.id}`, {
              token: only.accessToken,
              body,
            });
            expect(res.status).toBe(409);
            expect(res.body.code).toBe('USER.LAST_ADMIN');
          }
          const me = await solo.request<UserDto>('GET', '/me', { token: only.accessToken });
          expect(me.body).toMatchObject({ role: 'admin', disabled: false });
        } finally {
          await solo.close();
        }
      });

      it('allows an admin to step down while another admin remains', async () => {
        const stepDown = await t.request<UserDto>('PATCH', `/admin/users/${user(0).user.id}`, {
          token: user(0).accessToken,
          body: { role: 'user' },
        });
        expect(stepDown.status).toBe(200);
        expect(stepDown.body.role).toBe('user');
      });
    });

    it.each([
      [{}, 'body'],
      [{ role: 'owner' }, 'body.role'],
      [{ disabled: 'yes' }, 'body.disabled'],
      [{ role: 'user', extra: 1 }, 'body'],
    ])('answers 400 to %j', async (body, field) => {
      const target = user(2);
      const before = await t.request<UserDto>('GET', '/me', { token: target.accessToken });
      const res = await t.request<ProblemBody>('PATCH', `/admin/users/${target.user.id}`, {
        token: admin.accessToken,
        body,
      });
      expect(res.status).toBe(400);
      expect(res.body.errors?.map((error) => error.field)).toContain(field);
      expect((await t.request<UserDto>('GET', '/me', { token: target.accessToken })).body).toEqual(before.body);
    });

    it('answers 404 USER.NOT_FOUND for an unknown id and 400 for a malformed one', async () => {
      const missing = await t.request<ProblemBody>('PATCH', '/admin/users/00000000-0000-4000-8000-000000000000', {
        token: admin.accessToken,
        body: { role: 'user' },
      });
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('USER.NOT_FOUND');
      const malformed = await t.request<ProblemBody>('PATCH', '/admin/users/not-a-uuid', {
        token: admin.accessToken,
        body: { role: 'user' },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors?.map((error) => error.field)).toContain('params.id');
    });
  });
});
