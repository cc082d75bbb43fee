import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestResponse } from '../http/app.testkit.js';

interface ProblemBody {
  code: string;
  errors?: { field?: string; message: string }[];
}

const valid = { email: 'valid.person@example.test', password: 'a perfectly fine password', name: 'Valid Person' };

/** One field broken in a way the API must refuse (and the field it must name). */
const brokenField = fc.oneof(
  fc.constantFrom<[string, unknown]>(
    ['email', undefined],
    ['email', ''],
    ['email', 'not-an-email'],
    ['email', 42],
    ['email', `${'x'.repeat(250)}@example.test`],
    ['password', undefined],
    ['password', 'short'],
    ['password', 'x'.repeat(201)],
    ['password', 'zzzzzzzzzzzz'],
    ['password', 'valid.person@example.test'],
    ['password', null],
    ['name', undefined],
    ['name', '   '],
    ['name', 'n'.repeat(101)],
    ['name', ['a']],
  ),
  fc.tuple(
    fc.constantFrom('email', 'password', 'name'),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.object()),
  ),
);

async function userCount(t: TestApp): Promise<number> {
  const rows = await t.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]?.n ?? -1;
}

const fields = (res: TestResponse<ProblemBody>) => res.body.errors?.map((error) => error.field) ?? [];

describe('Auth endpoints given bad input', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.registerUser();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('POST /auth/register', () => {
    it('answers 400 naming the broken field, and creates nothing', async () => {
      const before = await userCount(t);
      await fc.assert(
        fc.asyncProperty(brokenField, async ([field, value]) => {
          const res = await t.request<ProblemBody>('POST', '/auth/register', { body: { ...valid, [field]: value } });
          expect(res.status).toBe(400);
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          expect(res.body.code).toBe('VALIDATION.FAILED');
          expect(fields(res)).toContain(`body.${field}`);
        }),
        { numRuns: 60 },
      );
      expect(await userCount(t)).toBe(before);
    });

    it('answers 400 to any JSON that is not a valid registration, and creates nothing', async () => {
      const before = await userCount(t);
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (body) => {
          const res = await t.request<ProblemBody>('POST', '/auth/register', {
            rawBody: JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          });
          expect(res.status).toBe(400);
          expect(res.body.code).toBe('VALIDATION.FAILED');
          expect(fields(res).length).toBeGreaterThan(0);
        }),
        { numRuns: 80 },
      );
      expect(await userCount(t)).toBe(before);
    });
  });

  describe.each([
    ['/auth/login', { email: 'nope', password: 'whatever password' }, 'body.email'],
    ['/auth/login', { email: 'someone@example.test' }, 'body.password'],
    ['/auth/refresh', { refreshToken: 'short' }, 'body.refreshToken'],
    ['/auth/refresh', {}, 'body.refreshToken'],
    ['/auth/logout', { refreshToken: 12 }, 'body.refreshToken'],
  ])('POST %s with %j', (path, body, field) => {
    it(`answers 400 naming ${field}`, async () => {
      const before = await t.sql.query('SELECT id, revoked_at FROM refresh_tokens ORDER BY id');
      const res = await t.request<ProblemBody>('POST', path, { body });
      expect(res.status).toBe(400);
      expect(fields(res)).toContain(field);
      expect(await t.sql.query('SELECT id, revoked_at FROM refresh_tokens ORDER BY id')).toEqual(before);
    });
  });
});
