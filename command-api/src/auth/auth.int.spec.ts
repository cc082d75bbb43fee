import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type RegisteredUser, type TestApp } from '../http/app.testkit.js';
import type { Session } from './auth.routes.js';
import { reuseGraceMs } from './refreshTokens.js';

interface ProblemBody {
  code: string;
  status: number;
  errors?: { field?: string; message: string }[];
}

describe('Auth API', () => {
  let t: TestApp;
  let admin: RegisteredUser;

  beforeAll(async () => {
    t = await startTestApp({ accessTtlSeconds: 60 });
    admin = await t.registerUser({ email: 'First.Admin@Example.test', name: 'Ada' });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('POST /auth/register', () => {
    it('makes the first account on an empty system an admin and signs it in', async () => {
      expect(admin.user).toMatchObject({
        email: 'first.admin@example.test',
        name: 'Ada',
        role: 'admin',
        disabled: false,
      });
      expect(admin.expiresIn).toBe(60);
      expect(admin.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const me = await t.request('GET', '/me', { token: admin.accessToken });
      expect(me.status).toBe(200);
      expect(me.body).toEqual(admin.user);
    });

    it('makes every later account a user', async () => {
      const bob = await t.registerUser();
      expect(bob.user.role).toBe('user');
    });

    it('stores the password as an argon2id hash', async () => {
      const rows = await t.sql.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [
        admin.user.id,
      ]);
      expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    describe('when the email is taken, in any letter case', () => {
      it('answers 409 AUTH.EMAIL_TAKEN', async () => {
        const res = await t.request<ProblemBody>('POST', '/auth/register', {
          body: { email: 'FIRST.admin@example.TEST', password: 'another good password', name: 'Eve' },
        });
        expect(res.status).toBe(409);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body.code).toBe('AUTH.EMAIL_TAKEN');
      });
    });

    describe('when the password is weak', () => {
      it.each([
        ['too short', 'short1'],
        ['one repeated character', 'aaaaaaaaaaaa'],
        ['the email itself', 'weak.pass@example.test'],
      ])('refuses a password that is %s', async (_why, password) => {
        const res = await t.request<ProblemBody>('POST', '/auth/register', {
          body: { email: 'weak.pass@example.test', password, name: 'Weak' },
        });
        expect(res.status).toBe(400);
        expect(res.body.errors?.map((e) => e.field)).toContain('body.password');
      });
    });
  });

  describe('POST /auth/login', () => {
    it('signs in with the right password, whatever the email case', async () => {
      const res = await t.request<Session>('POST', '/auth/login', {
        body: { email: ' FIRST.ADMIN@example.test ', password: admin.password },
      });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(admin.user.id);
      expect(res.body.refreshToken).not.toBe(admin.refreshToken);
    });

    it('answers the same 401 for a wrong password and for an unknown email', async () => {
      const wrong = await t.request<ProblemBody>('POST', '/auth/login', {
        body: { email: admin.email, password: 'not the password' },
      });
      const unknown = await t.request<ProblemBody>('POST', '/auth/login', {
        body: { email: 'nobody@example.test', password: 'not the password' },
      });
      for (const res of [wrong, unknown]) {
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('AUTH.INVALID_CREDENTIALS');
      }
      expect((wrong.body as unknown as { detail: string }).detail).toBe(
        (unknown.body as unknown as { detail: string }).detail,
      );
    });

    it('spends a full password verification on an unknown email (no timing oracle)', async () => {
      const time = async (email: string) => {
        const started = performance.now();
        await t.request('POST', '/auth/login', { body: { email, password: 'not the password' } });
        return performance.now() - started;
      };
      await time('warm.up@example.test');
      const unknown: number[] = [];
      const known: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        unknown.push(await time('nobody@example.test'));
        known.push(await time(admin.email));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2] ?? 0;
      // Without the dummy hash an unknown email answers in well under a millisecond of work.
      expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
    });
  });

  describe('POST /auth/refresh', () => {
    it('rotates: the new pair works, and the old refresh token is spent', async () => {
      const user = await t.registerUser();
      const first = await t.request<Session>('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(first.status).toBe(200);
      expect(first.body.refreshToken).not.toBe(user.refreshToken);
      expect((await t.request('GET', '/me', { token: first.body.accessToken })).status).toBe(200);
      const second = await t.request<Session>('POST', '/auth/refresh', {
        body: { refreshToken: first.body.refreshToken },
      });
      expect(second.status).toBe(200);
    });

    describe('when a rotated token is presented again after the grace period (stolen copy)', () => {
      it('answers 401 AUTH.REFRESH_INVALID and revokes the whole family', async () => {
        const user = await t.registerUser();
        const rotated = await t.request<Session>('POST', '/auth/refresh', {
          body: { refreshToken: user.refreshToken },
        });
        t.clock.advance(reuseGraceMs + 1);
        const reuse = await t.request<ProblemBody>('POST', '/auth/refresh', {
          body: { refreshToken: user.refreshToken },
        });
        expect(reuse.status).toBe(401);
        expect(reuse.body.code).toBe('AUTH.REFRESH_INVALID');
        const legit = await t.request<ProblemBody>('POST', '/auth/refresh', {
          body: { refreshToken: rotated.body.refreshToken },
        });
        expect(legit.status).toBe(401);
        expect(legit.body.code).toBe('AUTH.REFRESH_INVALID');
      });

      it("leaves the user's other sessions alone", async () => {
        const user = await t.registerUser();
        const other = await t.request<Session>('POST', '/auth/login', {
          body: { email: user.email, password: user.password },
        });
        await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
        t.clock.advance(reuseGraceMs + 1);
        await t.request('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
        const res = await t.request('POST', '/auth/refresh', { body: { refreshToken: other.body.refreshToken } });
        expect(res.status).toBe(200);
      });
    });

    describe('when two rotations of one token race (two tabs, a retry after a lost answer)', () => {
      it('signs neither out: both get a working pair, and each goes on rotating', async () => {
        const user = await t.registerUser();
        const results = await Promise.all(
          [1, 2].map(() => t.request<Session>('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } })),
        );
        expect(results.map((res) => res.status)).toEqual([200, 200]);
        expect(results[0]?.body.refreshToken).not.toBe(results[1]?.body.refreshToken);
        for (const res of results) {
          expect((await t.request('GET', '/me', { token: res.body.accessToken })).status).toBe(200);
          const again = await t.request<Session>('POST', '/auth/refresh', {
            body: { refreshToken: res.body.refreshToken },
          });
          expect(again.status).toBe(200);
        }
      });

      it('still refuses the spent token once the session was ended by a logout', async () => {
        const user = await t.registerUser();
        const rotated = await t.request<Session>('POST', '/auth/refresh', {
          body: { refreshToken: user.refreshToken },
        });
        expect(
          (await t.request('POST', '/auth/logout', { body: { refreshToken: rotated.body.refreshToken } })).status,
        ).toBe(204);
        const late = await t.request<ProblemBody>('POST', '/auth/refresh', {
          body: { refreshToken: user.refreshToken },
        });
        expect(late.status).toBe(401);
        expect(late.body.code).toBe('AUTH.REFRESH_INVALID');
      });
    });

    it('answers 401 for an unknown token', async () => {
      const res = await t.request<ProblemBody>('POST', '/auth/refresh', { body: { refreshToken: 'A'.repeat(43) } });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AUTH.REFRESH_INVALID');
    });

    describe('when the refresh token has expired', () => {
      it('answers 401 AUTH.REFRESH_INVALID', async () => {
        const user = await t.registerUser();
        t.clock.advance(t.deps.config.refreshTtlSeconds * 1000 + 1000);
        const res = await t.request<ProblemBody>('POST', '/auth/refresh', {
          body: { refreshToken: user.refreshToken },
        });
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('AUTH.REFRESH_INVALID');
      });
    });
  });

  describe('POST /auth/logout', () => {
    it('answers 204 and ends the session of the refresh token', async () => {
      const user = await t.registerUser();
      const out = await t.request('POST', '/auth/logout', { body: { refreshToken: user.refreshToken } });
      expect(out.status).toBe(204);
      const res = await t.request<ProblemBody>('POST', '/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(res.status).toBe(401);
    });

    it('is idempotent for an unknown token', async () => {
      const out = await t.request('POST', '/auth/logout', { body: { refreshToken: 'B'.repeat(43) } });
      expect(out.status).toBe(204);
    });
  });

  describe('access tokens on protected routes', () => {
    it('answers 401 AUTH.UNAUTHENTICATED with a Bearer challenge when there is no token', async () => {
      const res = await t.request<ProblemBody>('GET', '/me');
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AUTH.UNAUTHENTICATED');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('answers 401 for a tampered token', async () => {
      const user = await t.registerUser();
      const [header, payload, signature] = user.accessToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
      const res = await t.request<ProblemBody>('GET', '/me', { token: `${header}.${forged}.${signature}` });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AUTH.UNAUTHENTICATED');
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it('answers 401 AUTH.TOKEN_EXPIRED once the token has expired', async () => {
      const user = await t.registerUser();
      t.clock.advance(61_000);
      const res = await t.request<ProblemBody>('GET', '/me', { token: user.accessToken });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AUTH.TOKEN_EXPIRED');
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it('answers 401 for a malformed Authorization header', async () => {
      const res = await t.request<ProblemBody>('GET', '/me', { headers: { authorization: 'Basic abc' } });
      expect(res.status).toBe(401);
    });
  });
});

describe('First account on an empty system', () => {
  describe('when several people register at the same moment', () => {
    it('makes exactly one of them admin', async () => {
      const t = await startTestApp();
      try {
        const sessions = await Promise.all([1, 2, 3, 4].map(() => t.registerUser()));
        expect(sessions.filter((s) => s.user.role === 'admin')).toHaveLength(1);
      } finally {
        await t.close();
      }
    });
  });
});
