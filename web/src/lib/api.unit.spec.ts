import { afterEach, describe, expect, it, vi } from 'vitest';
import { send, useTokens } from './api.js';
import { ApiError, describeError } from './problems.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const problem = (status: number, code: string, detail: string, errors?: unknown[]) =>
  json(status, { code, detail, status, ...(errors ? { errors } : {}) });

function tokens(refreshes: boolean) {
  let token = 'old';
  const source = {
    accessToken: () => token,
    refresh: vi.fn(async () => {
      token = 'new';
      return refreshes;
    }),
  };
  useTokens(source);
  return source;
}

const authorization = (call: unknown[]) => ((call[1] as RequestInit).headers as Record<string, string>)['Authorization'];

afterEach(() => {
  vi.unstubAllGlobals();
  useTokens(null);
});

describe('send', () => {
  describe('when the access token has expired', () => {
    it('refreshes once and retries with the new token, unnoticed by the caller', async () => {
      const fetch = vi.fn()
        .mockResolvedValueOnce(problem(401, 'AUTH.TOKEN_EXPIRED', 'Token expired'))
        .mockResolvedValueOnce(json(200, { ok: true }, { ETag: 'W/"7"' }));
      vi.stubGlobal('fetch', fetch);
      const source = tokens(true);
      await expect(send('GET', '/me')).resolves.toEqual({ data: { ok: true }, revision: 7 });
      expect(source.refresh).toHaveBeenCalledOnce();
      expect(fetch.mock.calls.map(authorization)).toEqual(['Bearer old', 'Bearer new']);
    });

    it('gives up with the problem when the session cannot be refreshed', async () => {
      vi.stubGlobal('fetch', vi.fn().mockResolvedValue(problem(401, 'AUTH.TOKEN_EXPIRED', 'Token expired')));
      tokens(false);
      await expect(send('GET', '/me')).rejects.toMatchObject({ status: 401, code: 'AUTH.TOKEN_EXPIRED' });
    });
  });

  describe('when the server refuses the request', () => {
    it('carries the problem+json code, detail and fields, in readable words', async () => {
      vi.stubGlobal('fetch', vi.fn().mockResolvedValue(
        problem(400, 'VALIDATION.FAILED', 'body.title: too long', [{ field: 'body.title', message: 'must be at most 200 characters' }]),
      ));
      tokens(true);
      const error = await send('POST', '/boards', { name: 'x' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApiError);
      expect(describeError(error)).toBe('Some of the input is not valid. title: must be at most 200 characters');
    });

    it('does not refresh on wrong credentials', async () => {
      vi.stubGlobal('fetch', vi.fn().mockResolvedValue(problem(401, 'AUTH.INVALID_CREDENTIALS', 'Wrong email or password')));
      const source = tokens(true);
      await expect(send('POST', '/auth/login', {})).rejects.toMatchObject({ code: 'AUTH.INVALID_CREDENTIALS' });
      expect(source.refresh).not.toHaveBeenCalled();
    });
  });

  describe('when the network is down', () => {
    it('fails with a NETWORK error instead of a TypeError', async () => {
      vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
      await expect(send('GET', '/me')).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
    });
  });
});
