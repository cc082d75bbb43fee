import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type RegisteredUser } from './app.testkit.js';

let app: TestApp;
let user: RegisteredUser;

beforeAll(async () => {
  app = await startTestApp();
  user = await app.registerUser();
});
afterAll(async () => app?.close());

interface Problem {
  readonly code: string;
  readonly errors?: readonly { field: string; message: string }[];
}

const boardsOf = async (): Promise<number> =>
  (await app.request<{ items: unknown[] }>('GET', '/boards', { token: user.accessToken })).body.items.length;

describe('JSON bodies', () => {
  describe('when a string holds a lone UTF-16 surrogate', () => {
    it.each([
      ['a high one', String.raw`{"name":"a\ud800b"}`],
      ['a low one', String.raw`{"name":"\udfffb"}`],
      ['a reversed pair', String.raw`{"name":"\udc00\ud800"}`],
      ['one in a key', String.raw`{"name":"ok","\ud800":1}`],
    ])('refuses %s with 400 naming the field, and creates nothing', async (_, rawBody) => {
      const before = await boardsOf();
      const response = await app.request<Problem>('POST', '/boards', {
        token: user.accessToken,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION.FAILED');
      expect(response.body.errors?.[0]?.message).toMatch(/surrogate/i);
      expect(await boardsOf()).toBe(before);
    });

    it('still takes a proper pair (an emoji) and characters outside the BMP', async () => {
      const response = await app.request<{ board: { name: string } }>('POST', '/boards', {
        token: user.accessToken,
        rawBody: String.raw`{"name":"ship it \ud83d\ude80 🚀"}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(201);
      expect(response.body.board.name).toBe('ship it 🚀 🚀');
    });
  });

  describe('when the body is nested deeper than any request needs', () => {
    // Both under the body limit (64 KiB here): the depth is what is refused, not the size.
    it.each([
      ['20,000 levels of arrays', `${'['.repeat(20_000)}${']'.repeat(20_000)}`],
      ['10,000 levels of objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
      ['33 levels', `{"name":"x","columns":${'['.repeat(32)}${']'.repeat(32)}}`],
    ])('refuses %s with 400, also on the unauthenticated auth routes', async (_, rawBody) => {
      for (const path of ['/auth/login', '/auth/register', '/boards']) {
        const response = await app.request<Problem>('POST', path, {
          token: user.accessToken,
          rawBody,
          headers: { 'content-type': 'application/json' },
        });
        expect(response.status, path).toBe(400);
        expect(response.body.code).toBe('VALIDATION.FAILED');
      }
    });

    it('takes ordinary nesting', async () => {
      const response = await app.request('POST', '/boards', {
        token: user.accessToken,
        body: { name: 'Nested', columns: [{ name: 'A' }, { name: 'B', isDone: true }] },
      });
      expect(response.status).toBe(201);
    });
  });

  describe('when a compressed body does not decompress', () => {
    it.each(['deflate', 'gzip', 'br'])('answers 400 for a corrupt %s body', async (encoding) => {
      const before = await boardsOf();
      const response = await app.request<Problem>('POST', '/boards', {
        token: user.accessToken,
        rawBody: Buffer.from('this is not compressed at all'),
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION.FAILED');
      expect(await boardsOf()).toBe(before);
    });

    it('answers 415 for an encoding it does not know', async () => {
      const response = await app.request<Problem>('POST', '/boards', {
        token: user.accessToken,
        rawBody: Buffer.from('{}'),
        headers: { 'content-type': 'application/json', 'content-encoding': 'zstd-ish' },
      });
      expect(response.status).toBe(415);
    });
  });
});
