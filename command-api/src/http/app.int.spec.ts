import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type RegisteredUser, type TestApp } from './app.testkit.js';

interface ProblemBody {
  code: string;
  status: number;
  requestId: string;
  errors?: { field?: string }[];
}

describe('HTTP pipeline', () => {
  let t: TestApp;
  let webRoot: string;
  let user: RegisteredUser;

  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'pt-web-'));
    await mkdir(join(webRoot, 'assets'));
    await writeFile(
      join(webRoot, 'index.html'),
      '<!doctype html><title>board</title><script type="module" src="/assets/app.js"></script>',
    );
    await writeFile(join(webRoot, 'assets', 'app.js'), 'console.log("app")');
    t = await startTestApp({
      config: { bodyLimitBytes: 1024, webRoot, corsOrigins: ['https://board.example.test'] },
    });
    user = await t.registerUser();
  });
  afterAll(async () => {
    await t.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  describe('request bodies', () => {
    it('answers 413 REQUEST.TOO_LARGE above the body limit', async () => {
      const res = await t.request<ProblemBody>('POST', '/auth/login', {
        body: { email: 'a@example.test', password: 'x'.repeat(2000) },
      });
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('REQUEST.TOO_LARGE');
    });

    it('answers 415 to a body that is not JSON', async () => {
      const res = await t.request<ProblemBody>('POST', '/auth/login', {
        rawBody: 'email=a@example.test',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers 400 VALIDATION.FAILED to malformed JSON', async () => {
      const res = await t.request<ProblemBody>('POST', '/auth/login', {
        rawBody: '{"email":',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION.FAILED');
      expect(res.body.errors?.[0]?.field).toBe('body');
    });
  });

  describe('request ids', () => {
    it('echoes a sane incoming X-Request-Id, also inside problems', async () => {
      const res = await t.request<ProblemBody>('GET', '/nowhere', { headers: { 'x-request-id': 'edge-1234.abc' } });
      expect(res.headers.get('x-request-id')).toBe('edge-1234.abc');
      expect(res.body.requestId).toBe('edge-1234.abc');
    });

    it('replaces an unsafe one with a fresh id', async () => {
      const res = await t.request('GET', '/healthz', { headers: { 'x-request-id': 'bad id\twith spaces' } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('unknown routes', () => {
    it('answers 404 ROUTE.NOT_FOUND as problem+json', async () => {
      const res = await t.request<ProblemBody>('GET', '/no/such/thing', { token: user.accessToken });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('ROUTE.NOT_FOUND');
    });
  });

  describe('security headers', () => {
    it('sends a CSP that allows scripts only from this origin', async () => {
      const res = await t.request('GET', '/healthz');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });

  describe('CORS', () => {
    it('allows an origin on the list, without credentials, exposing ETag, Retry-After and X-Request-Id', async () => {
      const res = await t.request('GET', '/healthz', { headers: { origin: 'https://board.example.test' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('https://board.example.test');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      const exposed = res.headers.get('access-control-expose-headers') ?? '';
      for (const header of ['ETag', 'Retry-After', 'X-Request-Id']) expect(exposed).toContain(header);
    });

    it('answers a preflight from an allowed origin', async () => {
      const res = await t.request('OPTIONS', '/boards', {
        headers: {
          origin: 'https://board.example.test',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    });

    it('sends no CORS headers to another origin', async () => {
      const res = await t.request('GET', '/healthz', { headers: { origin: 'https://evil.example.test' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('the web app', () => {
    it('serves its files, hashed assets as immutable', async () => {
      const res = await t.request<string>('GET', '/assets/app.js', { unprefixed: true });
      expect(res.status).toBe(200);
      expect(res.body).toContain('console.log');
      expect(res.headers.get('cache-control')).toContain('immutable');
    });

    it('answers a browser navigation to a client route with index.html', async () => {
      const res = await t.request<string>('GET', '/boards/123', {
        unprefixed: true,
        headers: { accept: 'text/html,application/xhtml+xml' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toContain('<title>board</title>');
    });

    it('keeps unknown API paths as 404 problems, even for browsers', async () => {
      const res = await t.request<ProblemBody>('GET', '/api/v1/nothing', { headers: { accept: 'text/html' } });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ROUTE.NOT_FOUND');
    });

    it('does not answer a missing asset with index.html', async () => {
      const res = await t.request('GET', '/assets/missing.js', { unprefixed: true, headers: { accept: '*/*' } });
      expect(res.status).toBe(404);
    });
  });
});

describe('Rate limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ rateLimitPoints: 3, config: { trustProxy: true } });
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (email: string, ip = '203.0.113.7') =>
    t.request<ProblemBody>('POST', '/auth/login', {
      body: { email, password: 'wrong password' },
      headers: { 'x-forwarded-for': ip },
    });

  describe('POST /auth/login', () => {
    it('answers 429 RATE_LIMITED with Retry-After once the window is spent, then lets the client back in', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await login('limited@example.test')).status);
      expect(statuses).toEqual([401, 401, 401]);
      const limited = await login('limited@example.test');
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.headers.get('ratelimit-limit')).toBe('3');
      expect(limited.headers.get('ratelimit-remaining')).toBe('0');
      t.clock.advance(retryAfter * 1000);
      expect((await login('limited@example.test')).status).toBe(401);
    });

    it('limits one account tried from one address, without locking that account out elsewhere', async () => {
      t.clock.advance(15 * 60_000);
      const victim = await t.registerUser();
      const attempt = (password: string, ip: string) =>
        t.request<ProblemBody>('POST', '/auth/login', {
          body: { email: victim.email, password },
          headers: { 'x-forwarded-for': ip },
        });
      for (let i = 0; i < 3; i += 1) expect((await attempt('wrong password', '198.51.100.1')).status).toBe(401);
      expect((await attempt(victim.password, '198.51.100.1')).status).toBe(429);
      expect((await attempt(victim.password, '198.51.100.2')).status).toBe(200);
    });

    it("does not let one address's failures lock out another address and email", async () => {
      t.clock.advance(60_000);
      for (let i = 0; i < 4; i += 1) await login('noisy@example.test', '192.0.2.1');
      expect((await login('quiet@example.test', '192.0.2.2')).status).toBe(401);
    });
  });

  describe('the API, per user', () => {
    it('answers 429 after the per-user budget, without touching other users', async () => {
      t.clock.advance(60_000);
      const alice = await t.registerUser();
      const bob = await t.registerUser();
      for (let i = 0; i < 3; i += 1)
        expect((await t.request('GET', '/me', { token: alice.accessToken })).status).toBe(200);
      const limited = await t.request<ProblemBody>('GET', '/me', { token: alice.accessToken });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).not.toBeNull();
      expect((await t.request('GET', '/me', { token: bob.accessToken })).status).toBe(200);
    });
  });

  describe('POST /auth/register', () => {
    it('limits registrations per client address', async () => {
      t.clock.advance(3600_000);
      const results: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const res = await t.request('POST', '/auth/register', {
          body: { email: `reg${i}@example.test`, password: 'a fine password', name: 'R' },
        });
        results.push(res.status);
      }
      expect(results).toEqual([201, 201, 201, 429]);
    });
  });
});
