import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../http/app.testkit.js';
import { commandNodeReadiness } from './readiness.js';

interface OpenApiDoc {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { security?: unknown[] }>>;
  components: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, { type: string; scheme: string }> };
}

describe('Ops endpoints', () => {
  let t: TestApp;
  let ready: Record<string, { ok: boolean; detail?: string; degraded?: boolean }>;

  beforeAll(async () => {
    ready = { database: { ok: true } };
    t = await startTestApp({ config: { version: '9.8.7' }, deps: { readiness: async () => ready } });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('GET /healthz', () => {
    it('answers 200 {status: ok}', async () => {
      const res = await t.request('GET', '/healthz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });
  });

  describe('GET /readyz', () => {
    it('answers 200 with every dependency when all are ok', async () => {
      ready = { database: { ok: true }, projector: { ok: true } };
      const res = await t.request('GET', '/readyz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', checks: ready });
    });

    it('answers 503 naming the dependency that is not ok', async () => {
      ready = { database: { ok: true }, redis: { ok: false, detail: 'breaker open' } };
      const res = await t.request('GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', checks: ready, down: ['redis'] });
    });

    it('answers 200 "degraded" naming the dependency when only tolerated ones are down, 503 when another is down too', async () => {
      ready = {
        eventStore: { ok: true },
        readDatabase: { ok: false, degraded: true, detail: 'read database unreachable' },
      };
      const degraded = await t.request('GET', '/readyz');
      expect([degraded.status, degraded.body]).toEqual([
        200,
        { status: 'degraded', checks: ready, down: ['readDatabase'] },
      ]);
      ready = { ...ready, eventStore: { ok: false, detail: 'event store unreachable' } };
      const down = await t.request('GET', '/readyz');
      expect([down.status, down.body]).toEqual([
        503,
        { status: 'unavailable', checks: ready, down: ['eventStore', 'readDatabase'] },
      ]);
    });

    it('answers 503 when the check itself fails', async () => {
      const failing = await startTestApp({
        sql: t.sql,
        deps: { readiness: () => Promise.reject(new Error('pool exhausted')) },
      });
      try {
        const res = await failing.request('GET', '/readyz');
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ checks: { readiness: { ok: false, detail: 'pool exhausted' } } });
      } finally {
        await failing.close();
      }
    });
  });

  describe('GET /readyz of a command-api cluster node', () => {
    const up = { query: async () => [] };
    const unreachable = { query: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const breakerOpen = { query: async () => [], breakerState: () => 'open' };
    const readyzWith = async (deps: Parameters<typeof commandNodeReadiness>[0]) => {
      const node = await startTestApp({ sql: t.sql, deps: { readiness: commandNodeReadiness(deps) } });
      try {
        return await node.request<{
          status: string;
          checks: Record<string, { ok: boolean; degraded?: boolean; detail?: string }>;
          down?: string[];
        }>('GET', '/readyz');
      } finally {
        await node.close();
      }
    };

    it('stays in rotation (200 degraded) while the read database or Redis is down: commands are still accepted', async () => {
      const res = await readyzWith({ redisUp: () => true, readSql: unreachable, eventStoreSql: up });
      expect([res.status, res.body.status, res.body.down]).toEqual([200, 'degraded', ['readDatabase']]);
      expect(res.body.checks.readDatabase).toEqual({
        ok: false,
        degraded: true,
        detail: 'read database unreachable: commands still accepted, queries answer 503',
      });
      const both = await readyzWith({ redisUp: () => false, readSql: breakerOpen, eventStoreSql: up });
      expect([both.status, both.body.status, both.body.down]).toEqual([200, 'degraded', ['redis', 'readDatabase']]);
    });

    it('goes red (503) while the event store is down, whatever else is up', async () => {
      const res = await readyzWith({ redisUp: () => true, readSql: up, eventStoreSql: unreachable });
      expect([res.status, res.body.status, res.body.down]).toEqual([503, 'unavailable', ['eventStore']]);
    });

    it('is ok when everything is up', async () => {
      const res = await readyzWith({ redisUp: () => true, readSql: up, eventStoreSql: up });
      expect([res.status, res.body]).toEqual([
        200,
        { status: 'ok', checks: { redis: { ok: true }, readDatabase: { ok: true }, eventStore: { ok: true } } },
      ]);
    });
  });

  describe('GET /metrics', () => {
    it('serves Prometheus text including the HTTP histogram by route', async () => {
      await t.request('GET', '/me');
      const res = await t.request<string>('GET', '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(res.body).toContain('primetrade_http_request_duration_seconds_bucket');
      expect(res.body).toMatch(
        /primetrade_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/me",status="401"\} \d+/,
      );
    });
  });

  describe('GET /api/v1/openapi.json', () => {
    it('is an OpenAPI 3.1 document of the API with the configured version', async () => {
      const res = await t.request<OpenApiDoc>('GET', '/api/v1/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      expect(res.body.info.version).toBe('9.8.7');
      for (const path of [
        '/api/v1/auth/register',
        '/api/v1/auth/login',
        '/api/v1/auth/refresh',
        '/api/v1/auth/logout',
      ]) {
        expect(res.body.paths[path]?.post, path).toBeDefined();
      }
      expect(res.body.paths['/api/v1/admin/users/{id}']?.patch).toBeDefined();
    });

    it('declares bearer auth and named schemas', async () => {
      const res = await t.request<OpenApiDoc>('GET', '/api/v1/openapi.json');
      expect(res.body.components.securitySchemes?.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(res.body.components.schemas).toHaveProperty('User');
      expect(res.body.components.schemas).toHaveProperty('Session');
      expect(res.body.paths['/api/v1/me']?.get?.security).toEqual([{ bearerAuth: [] }]);
      expect(res.body.paths['/api/v1/auth/login']?.post?.security).toBeUndefined();
    });
  });

  describe('GET /api/docs', () => {
    it('serves Swagger UI as HTML whose scripts are all files (no inline script)', async () => {
      const res = await t.request<string>('GET', '/api/docs', { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const scripts = [...res.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, content] of scripts) {
        expect(attributes).toMatch(/src="\/api\/docs\/[\w.-]+\.js"/);
        expect(content?.trim()).toBe('');
      }
    });

    it('serves every script and stylesheet the page refers to, and an initializer that loads our document', async () => {
      const page = await t.request<string>('GET', '/api/docs/');
      const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
      for (const asset of assets) {
        const res = await t.request('GET', asset);
        expect(res.status, asset).toBe(200);
      }
      const initializer = await t.request<string>('GET', '/api/docs/swagger-initializer.js');
      expect(initializer.body).toContain('"/api/v1/openapi.json"');
      expect(initializer.body).not.toContain('petstore');
    });
  });
});
