import { DomainError } from '@primetrade/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestApp, type RegisteredUser, type TestApp } from './app.testkit.js';
import { defineRoute, type RouteRegistrar } from './route.js';

/** A POST that counts how often it really acts, fails on demand, and can be held open. */
function counterRoute() {
  const state = { calls: 0, release: (): void => undefined };
  const register = (registrar: RouteRegistrar) =>
    defineRoute(
      registrar,
      {
        method: 'post',
        path: '/test/counter',
        summary: 'test only',
        tags: ['test'],
        body: z.object({ value: z.string() }),
        responses: { 201: { description: 'counted' } },
      },
      async (ctx, { body }) => {
        state.calls += 1;
        if (body.value === 'invalid')
          throw new DomainError('VALIDATION.FAILED', 'refused', [{ field: 'body.value', message: 'refused' }]);
        if (body.value === 'crash') throw new Error('boom');
        if (body.value === 'slow')
          await new Promise<void>((resolve) => {
            state.release = resolve;
          });
        ctx.status = 201;
        ctx.set('ETag', `W/"${state.calls}"`);
        ctx.set('Location', `/api/v1/test/counter/${state.calls}`);
        ctx.body = { call: state.calls, value: body.value };
      },
    );
  return { state, register };
}

describe('Idempotency-Key on POST', () => {
  const counter = counterRoute();
  let t: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let keys = 0;
  const newKey = () => `key-${++keys}-${Date.now()}`;
  const post = (user: RegisteredUser, value: string, key?: string) =>
    t.request<{ call: number; code?: string }>('POST', '/test/counter', {
      token: user.accessToken,
      body: { value },
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });

  /** Access tokens expire when a test moves the clock a day ahead. */
  const signInAgain = async (user: RegisteredUser): Promise<RegisteredUser> => {
    const res = await t.request<RegisteredUser>('POST', '/auth/login', {
      body: { email: user.email, password: user.password },
    });
    return { ...res.body, email: user.email, password: user.password };
  };

  beforeAll(async () => {
    t = await startTestApp({ deps: { routes: [counter.register] } });
    alice = await t.registerUser();
    bob = await t.registerUser();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('when a request is retried with the same key', () => {
    it('replays the first answer (status, body, ETag, Location) without acting again', async () => {
      const key = newKey();
      const first = await post(alice, 'a', key);
      const calls = counter.state.calls;
      const retry = await post(alice, 'a', key);
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(retry.headers.get('location')).toBe(first.headers.get('location'));
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(counter.state.calls).toBe(calls);
    });

    it('does not pin a refusal: a 4xx releases the key, so a retry acts as a first request (nothing was done)', async () => {
      const key = newKey();
      const first = await post(alice, 'invalid', key);
      const calls = counter.state.calls;
      const retry = await post(alice, 'invalid', key);
      expect(first.status).toBe(400);
      expect(retry.status).toBe(400);
      expect(retry.headers.get('content-type')).toContain('application/problem+json');
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(retry.body.code).toBe('VALIDATION.FAILED');
      expect(counter.state.calls).toBe(calls + 1);
    });

    it('counts If-Match as part of the request: the same key with another precondition is a different request', async () => {
      const key = newKey();
      const first = await t.request('POST', '/test/counter', {
        token: alice.accessToken,
        body: { value: 'a' },
        headers: { 'idempotency-key': key, 'if-match': 'W/"1"' },
      });
      const other = await t.request<{ code: string }>('POST', '/test/counter', {
        token: alice.accessToken,
        body: { value: 'a' },
        headers: { 'idempotency-key': key },
      });
      expect(first.status).toBe(201);
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
    });

    it('acts again after a 5xx (the key is released)', async () => {
      const key = newKey();
      const first = await post(alice, 'crash', key);
      const calls = counter.state.calls;
      const retry = await post(alice, 'crash', key);
      expect(first.status).toBe(500);
      expect(retry.status).toBe(500);
      expect(counter.state.calls).toBe(calls + 1);
    });

    it('acts again once the key has expired (24 h)', async () => {
      const key = newKey();
      await post(alice, 'a', key);
      const calls = counter.state.calls;
      t.clock.advance(24 * 3600_000 + 1000);
      alice = await signInAgain(alice);
      bob = await signInAgain(bob);
      const again = await post(alice, 'a', key);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      expect(counter.state.calls).toBe(calls + 1);
    });
  });

  describe('when the same key comes with a different request', () => {
    it('answers 422 IDEMPOTENCY.KEY_REUSED and does not act', async () => {
      const key = newKey();
      await post(alice, 'a', key);
      const calls = counter.state.calls;
      const other = await post(alice, 'b', key);
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
      expect(counter.state.calls).toBe(calls);
    });
  });

  describe('when another user sends the same key', () => {
    it('acts for them: keys are per user', async () => {
      const key = newKey();
      const mine = await post(alice, 'a', key);
      const theirs = await post(bob, 'a', key);
      expect(theirs.status).toBe(201);
      expect(theirs.body.call).toBe(mine.body.call + 1);
    });
  });

  describe('when a retry arrives while the first request is still running', () => {
    it('answers 409 IDEMPOTENCY.IN_PROGRESS, then the first completes normally', async () => {
      const key = newKey();
      const first = post(alice, 'slow', key);
      await expect
        .poll(async () => (await t.sql.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key])).length)
        .toBe(1);
      const retry = await post(alice, 'slow', key);
      expect(retry.status).toBe(409);
      expect(retry.body.code).toBe('IDEMPOTENCY.IN_PROGRESS');
      counter.state.release();
      expect((await first).status).toBe(201);
    });
  });

  describe('when the key is malformed', () => {
    it.each([
      ['empty', ''],
      ['spaced', 'two words'],
      ['too long', 'k'.repeat(201)],
      ['non-ASCII', 'clé'],
    ])('answers 400 for a %s key', async (_why, key) => {
      const calls = counter.state.calls;
      const res = await t.request<{ code: string; errors: { field: string }[] }>('POST', '/test/counter', {
        token: alice.accessToken,
        body: { value: 'a' },
        headers: { 'idempotency-key': key },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((error) => error.field)).toContain('headers.idempotency-key');
      expect(counter.state.calls).toBe(calls);
    });
  });

  it('acts every time without a key', async () => {
    const calls = counter.state.calls;
    await post(alice, 'a');
    await post(alice, 'a');
    expect(counter.state.calls).toBe(calls + 2);
  });
});
