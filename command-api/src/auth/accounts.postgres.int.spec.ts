import { createTestDatabase, type TestDatabase } from '@primetrade/platform';
import { runMigrations } from '@primetrade/read-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../http/app.testkit.js';

/**
 * The races that PGlite cannot show (it runs one statement at a time), on real PostgreSQL with a
 * pool of connections.
 */
describe('Accounts on PostgreSQL under concurrency', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase('command_api_accounts', { max: 10 });
    await runMigrations(db.sql);
    t = await startTestApp({ sql: db.sql });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  describe('when several people register on an empty system at the same moment', () => {
    it('makes exactly one of them admin', async () => {
      const sessions = await Promise.all([1, 2, 3, 4, 5, 6].map(() => t.registerUser()));
      expect(sessions.filter((session) => session.user.role === 'admin')).toHaveLength(1);
    });
  });

  describe('when the same email is registered twice at once', () => {
    it('creates one account and answers 409 AUTH.EMAIL_TAKEN to the other', async () => {
      const body = { email: 'twin@example.test', password: 'a fine password', name: 'Twin' };
      const results = await Promise.all(
        [1, 2].map(() => t.request<{ code?: string }>('POST', '/auth/register', { body })),
      );
      expect(results.map((res) => res.status).sort()).toEqual([201, 409]);
      expect(results.find((res) => res.status === 409)?.body.code).toBe('AUTH.EMAIL_TAKEN');
    });
  });

  describe('when one refresh token is rotated by several requests at once', () => {
    it('spends it once and gives every concurrent caller a working successor of its own (no one is logged out)', async () => {
      const user = await t.registerUser();
      const results = await Promise.all(
        [1, 2, 3, 4].map(() =>
          t.request<{ refreshToken: string }>('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } }),
        ),
      );
      expect(results.map((res) => res.status)).toEqual([200, 200, 200, 200]);
      expect(new Set(results.map((res) => res.body.refreshToken)).size).toBe(4);
      const spent = await db.sql.query('SELECT 1 FROM refresh_tokens WHERE user_id = $1 AND replaced_by IS NOT NULL', [
        user.user.id,
      ]);
      expect(spent).toHaveLength(1);
      const live = await db.sql.query('SELECT 1 FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [
        user.user.id,
      ]);
      expect(live).toHaveLength(4);
    });
  });

  describe('when two admins demote each other at once', () => {
    it('keeps at least one active admin', async () => {
      const a = await t.registerUser();
      const b = await t.registerUser();
      // Exactly two admins, a and b (set directly: the admin API is what is under test).
      await db.sql.query("UPDATE users SET role = CASE WHEN id = ANY($1::uuid[]) THEN 'admin' ELSE 'user' END", [
        [a.user.id, b.user.id],
      ]);
      const results = await Promise.all([
        t.request('PATCH', `/admin/users/${b.user.id}`, { token: a.accessToken, body: { role: 'user' } }),
        t.request('PATCH', `/admin/users/${a.user.id}`, { token: b.accessToken, body: { role: 'user' } }),
      ]);
      // The loser gets 409 (last admin) or, if it authenticated after the winner, 403.
      expect(results.filter((res) => res.status === 200)).toHaveLength(1);
      const admins = await db.sql.query("SELECT 1 FROM users WHERE role = 'admin' AND NOT disabled");
      expect(admins).toHaveLength(1);
    });
  });
});
