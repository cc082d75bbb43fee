import { afterEach, describe, expect, it, vi } from 'vitest';
import { send, useTokens, writeTokens } from './api.js';
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

const authorization = (call: unknown[]) =>
  ((call[1] as RequestInit).headers as Record<string, string>)['Authorization'];

afterEach(() => {
  vi.unstubAllGlobals();
  useTokens(null);
});

describe('send', () => {
  describe('when the access token has expired', () => {
    it('refreshes once and retries with the new token, unnoticed by the caller', async () => {
      const fetch = vi
        .fn()
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
      vi.stubGlobal(
        'fetch',
        vi
          .fn()
          .mockResolvedValue(
            problem(400, 'VALIDATION.FAILED', 'body.title: too long', [
              { field: 'body.title', message: 'must be at most 200 characters' },
            ]),
          ),
      );
      tokens(true);
      const error = await send('POST', '/boards', { name: 'x' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApiError);
      expect(describeError(error)).toBe('Some of the input is not valid. title: must be at most 200 characters');
    });

    it('does not refresh on wrong credentials', async () => {
      vi.stubGlobal(
        'fetch',
        vi.fn().mockResolvedValue(problem(401, 'AUTH.INVALID_CREDENTIALS', 'Wrong email or password')),
      );
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

describe('read-your-writes', () => {
  const boardId = '00000000-0000-4000-8000-0000000000b1';
  const minRevision = (call: unknown[]) => ((call[1] as RequestInit).headers as Record<string, string>)['Min-Revision'];

  it('sends the revision of my write on the reads that follow', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(json(201, { id: 't1', boardId, title: 'Mine' }, { ETag: 'W/"12"' }))
      .mockResolvedValueOnce(json(200, { board: { id: boardId } }))
      .mockResolvedValueOnce(json(200, { items: [] }));
    vi.stubGlobal('fetch', fetch);
    tokens(true);
    writeTokens.clear();
    await send('POST', `/boards/${boardId}/tasks`, { title: 'Mine' });
    await send('GET', `/boards/${boardId}`);
    await send('GET', '/boards');
    expect(fetch.mock.calls.map(minRevision)).toEqual([undefined, '12', `${boardId}:12`]);
  });

  it('retries a read the read models answered READ_MODEL.BEHIND, after Retry-After', async () => {
    const behind = () => problem(503, 'READ_MODEL.BEHIND', 'behind');
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(
        new Response(behind().body, {
          status: 503,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '0' },
        }),
      )
      .mockResolvedValueOnce(json(200, { ok: true }));
    vi.stubGlobal('fetch', fetch);
    tokens(true);
    await expect(send('GET', `/boards/${boardId}`)).resolves.toMatchObject({ data: { ok: true } });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('gives up after two retries and reports READ_MODEL.BEHIND', async () => {
    const fetch = vi.fn(
      async () =>
        new Response(JSON.stringify({ code: 'READ_MODEL.BEHIND', detail: 'behind', status: 503 }), {
          status: 503,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '0' },
        }),
    );
    vi.stubGlobal('fetch', fetch);
    tokens(true);
    await expect(send('GET', `/boards/${boardId}`)).rejects.toMatchObject({ code: 'READ_MODEL.BEHIND' });
    expect(fetch).toHaveBeenCalledTimes(3);
  });
});
