/**
 * Test harness for the HTTP API: the real app (`createApp`) on an ephemeral port with a fresh,
 * migrated database and controllable time. Typical use:
 *
 *   const t = await startTestApp();                       // beforeAll
 *   const alice = await t.registerUser();                 // { user, accessToken, refreshToken, email, password }
 *   const res = await t.request('POST', '/boards', { token: alice.accessToken, body: { name: 'Q3' } });
 *   expect(res.status).toBe(201);
 *   t.clock.advance(60_000);                              // tokens, refresh expiry, rate windows follow it
 *   await t.close();                                      // afterAll
 *
 * Paths without a leading `/api/`, `/healthz`, `/readyz` or `/metrics` are taken as API paths and
 * get the `/api/v1` prefix (pass `unprefixed: true` for web app paths). Pass `deps` to replace any dependency (event store, rate limiters,
 * readiness, extra `routes`), `config` for config, `sql` to bring your own migrated database.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  createInMemoryEventStore,
  createLogger,
  createMemoryRateLimiter,
  createMetrics,
  createTestPglite,
  createTokenService,
  type Sql,
} from '@primetrade/platform';
import { createProjectionAdmin } from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';
import type Koa from 'koa';
import { createApp, type AppConfig, type AppDeps } from '../app.js';
import type { Session } from '../auth/auth.routes.js';
import { createApiServer } from './server.js';
import type { AppState } from './state.js';

export interface TestClock {
  readonly now: () => Date;
  /** Moves time forward by `ms` (tokens, refresh expiry, rate windows, idempotency expiry). */
  readonly advance: (ms: number) => void;
}

export interface TestAppOptions {
  /** A migrated database to use; it is NOT closed by `close()`. Default: a fresh PGlite. */
  readonly sql?: Sql;
  readonly config?: Partial<AppConfig>;
  /** Replaces any dependency; built on the test clock where it matters. */
  readonly deps?: Partial<Omit<AppDeps, 'config'>>;
  /** Access-token lifetime. Default 900 s. */
  readonly accessTtlSeconds?: number;
  /** Points per minute for each default rate limiter. Default 10 000 (effectively off). */
  readonly rateLimitPoints?: number;
}

export interface RequestOptions {
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as is (with your own Content-Type header); wins over `body`. */
  readonly rawBody?: string | Buffer;
  /** Bearer access token. */
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Use `path` as is, without the API prefix (web app files, SPA routes). */
  readonly unprefixed?: boolean;
}

export interface TestResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON when the response is JSON, otherwise the text ('' when empty). */
  readonly body: T;
}

export interface RegisteredUser extends Session {
  readonly email: string;
  readonly password: string;
}

export interface TestApp {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly app: Koa<AppState>;
  readonly deps: AppDeps;
  readonly sql: Sql;
  readonly clock: TestClock;
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<TestResponse<T>>;
  /** Registers a new account with unique defaults; the first one on a fresh database is admin. */
  registerUser(overrides?: { email?: string; password?: string; name?: string }): Promise<RegisteredUser>;
  close(): Promise<void>;
}

export function createTestClock(start = new Date('2026-01-01T09:00:00.000Z')): TestClock {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
}

const unprefixed = /^\/(api|healthz|readyz|metrics)(\/|$|\?)/;

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return text !== '' && /[/+]json\b/.test(type) ? JSON.parse(text) : text;
}

function buildDeps(sql: Sql, clock: TestClock, options: TestAppOptions): AppDeps {
  const points = options.rateLimitPoints ?? 10_000;
  const limiter = () => createMemoryRateLimiter({ points, durationMs: 60_000, now: () => clock.now().getTime() });
  const deps: Omit<AppDeps, 'projectionAdmin'> & Partial<Pick<AppDeps, 'projectionAdmin'>> = {
    config: {
      apiPrefix: '/api/v1',
      corsOrigins: [],
      bodyLimitBytes: 64 * 1024,
      trustProxy: false,
      webRoot: null,
      refreshTtlSeconds: 30 * 24 * 3600,
      version: '0.0.0-test',
      ...options.config,
    },
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    sql,
    store: createInMemoryEventStore(),
    tokens: createTokenService({
      secret: 'test-secret-of-at-least-32-characters!',
      accessTtlSeconds: options.accessTtlSeconds ?? 900,
      now: clock.now,
    }),
    rateLimiters: { login: limiter(), loginAccount: limiter(), register: limiter(), api: limiter() },
    clock: clock.now,
    newId: randomUUID,
    readiness: async () => ({ database: { ok: true } }),
    ...options.deps,
  };
  // The admin routes' port: the projector's implementation, as server/ injects it in the product.
  return {
    ...deps,
    projectionAdmin:
      deps.projectionAdmin ?? createProjectionAdmin({ sql, store: deps.store, logger: deps.logger, clock: deps.clock }),
  };
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownSql = options.sql === undefined;
  const sql = options.sql ?? (await createTestPglite());
  if (ownSql) await runMigrations(sql);
  const clock = createTestClock();
  const deps = buildDeps(sql, clock, options);
  const app = createApp(deps);
  const server = createApiServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let users = 0;

  async function request<T>(method: string, path: string, request: RequestOptions = {}): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...request.headers };
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    let body: string | Buffer | undefined = request.rawBody;
    if (body === undefined && request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
    const target = request.unprefixed || unprefixed.test(path) ? path : `${deps.config.apiPrefix}${path}`;
    const response = await fetch(url + target, { method, headers, ...(body === undefined ? {} : { body }) });
    return { status: response.status, headers: response.headers, body: (await readBody(response)) as T };
  }

  return {
    url,
    app,
    deps,
    sql,
    clock,
    request,
    async registerUser(overrides = {}) {
      users += 1;
      const email = overrides.email ?? `user${users}-${randomUUID().slice(0, 8)}@example.test`;
      const password = overrides.password ?? `correct horse ${users} battery`;
      const response = await request<Session>('POST', '/auth/register', {
        body: { email, password, name: overrides.name ?? `User ${users}` },
      });
      if (response.status !== 201) throw new Error(`registerUser: ${response.status} ${JSON.stringify(response.body)}`);
      return { ...response.body, email, password };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownSql) await sql.close();
    },
  };
}
