import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from '@koa/router';
import { DomainError } from '@primetrade/domain';
import { createInMemoryEventStore, createPostgresSql, toEnvelope, type EventStore, type Sql } from '@primetrade/platform';
import { applyEnvelopes, runMigrations } from '@primetrade/projector';
import Koa from 'koa';
import pg from 'pg';
import { pino } from 'pino';
import { jsonBody } from '../http/jsonBody.js';
import { requestId } from '../http/observability.js';
import { problemMiddleware } from '../http/problem.js';
import type { RouteRegistrar } from '../http/route.js';
import type { AppState } from '../http/state.js';
import { registerBoardApi } from './index.js';

/**
 * A small app around `registerBoardApi` for the board API's integration tests: the real
 * routes, problem middleware and body parser, the in-memory event store, read models in a
 * fresh PostgreSQL database, and a stand-in auth (`Authorization: Bearer <userId>` of a row
 * in `users`; D1's token auth is tested on its own).
 *
 * Read-your-writes: after every append the store wrapper projects the new events (global
 * order, serialised) before the request answers, so tests see the read model caught up.
 */
export interface TestResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface BoardApiHarness {
  readonly store: EventStore;
  readonly sql: Sql;
  /** Adds an account; returns its id. */
  addUser(name: string): Promise<{ id: string; email: string }>;
  request<T = any>(method: string, path: string, options?: { as?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse<T>>;
  close(): Promise<void>;
}

const server = 'postgres://postgres@127.0.0.1:5432';

function projectingStore(store: EventStore, sql: Sql): EventStore {
  let after: string | null = null;
  let chain: Promise<void> = Promise.resolve();
  const catchUp = async () => {
    const stored = await store.readAll({ after });
    if (stored.length === 0) return;
    await applyEnvelopes(sql, stored.map(toEnvelope));
    after = stored.at(-1)?.position ?? after;
  };
  const wrapper = Object.create(store) as EventStore;
  wrapper.appendToStream = async (streamId, events, options) => {
    const result = await store.appendToStream(streamId, events, options);
    chain = chain.then(catchUp);
    await chain;
    return result;
  };
  return wrapper;
}

function testAuth(sql: Sql): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    const userId = /^Bearer (.+)$/.exec(ctx.get('Authorization'))?.[1];
    const rows = userId && /^[0-9a-f-]{36}$/.test(userId)
      ? await sql.query<{ id: string; name: string }>('SELECT id, name FROM users WHERE id = $1', [userId])
      : [];
    const user = rows[0];
    if (!user) throw new DomainError('AUTH.UNAUTHENTICATED', 'Authentication required');
    ctx.state.user = { id: user.id, name: user.name, role: 'user' };
    await next();
  };
}

export async function createBoardApiHarness(options: { readModelWaitMs?: number } = {}): Promise<BoardApiHarness> {
  const dbName = `pt_boardapi_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const sql = createPostgresSql({ connectionString: `${server}/${dbName}`, max: 6 });
  await runMigrations(sql);
  const store = projectingStore(createInMemoryEventStore(), sql);
  const logger = pino({ level: 'silent' });

  const app = new Koa<AppState>();
  const router = new Router<AppState>({ prefix: '/api/v1' });
  const registrar: RouteRegistrar = { router, registry: new OpenAPIRegistry(), prefix: '/api/v1', authenticate: testAuth(sql) };
  registerBoardApi(registrar, {
    store, sql, logger, clock: () => new Date(), newId: randomUUID, readModelWaitMs: options.readModelWaitMs ?? 100,
  });
  app.use(problemMiddleware(logger));
  app.use(requestId(randomUUID));
  app.use(jsonBody(256 * 1024));
  app.use(router.routes());
  app.use(router.allowedMethods());
  const http = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  return {
    store,
    sql,
    async addUser(name) {
      const id = randomUUID();
      const email = `${name.toLowerCase()}-${id.slice(0, 8)}@example.test`;
      await sql.query('INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, $5)', [id, email, name, 'x', 'user']);
      return { id, email };
    },
    async request(method, path, { as, body, headers = {} } = {}) {
      const response = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: {
          ...(as ? { Authorization: `Bearer ${as}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
    },
    async close() {
      await new Promise((resolve) => http.close(resolve));
      await sql.close();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export interface BoardFixture {
  readonly boardId: string;
  readonly owner: string;
  readonly editor: string;
  readonly viewer: string;
  readonly stranger: string;
  readonly columns: readonly { id: string; name: string; isDone: boolean }[];
}

/** A board with default columns and an owner, an editor, a viewer, plus a non-member. */
export async function createBoardFixture(harness: BoardApiHarness): Promise<BoardFixture> {
  const [owner, editor, viewer, stranger] = await Promise.all(['Olga', 'Eddie', 'Vera', 'Stan'].map((name) => harness.addUser(name)));
  if (!owner || !editor || !viewer || !stranger) throw new Error('users not created');
  const created = await harness.request('POST', '/boards', { as: owner.id, body: { name: 'Launch' } });
  if (created.status !== 201) throw new Error(`board not created: ${JSON.stringify(created.body)}`);
  const boardId = created.body.board.id as string;
  for (const [user, role] of [[editor, 'editor'], [viewer, 'viewer']] as const) {
    const added = await harness.request('POST', `/boards/${boardId}/members`, { as: owner.id, body: { userId: user.id, role } });
    if (added.status !== 201) throw new Error(`member not added: ${JSON.stringify(added.body)}`);
  }
  return { boardId, owner: owner.id, editor: editor.id, viewer: viewer.id, stranger: stranger.id, columns: created.body.columns };
}

/** The board stream's last revision straight from the store (-1 when absent). */
export async function storeRevision(harness: BoardApiHarness, boardId: string): Promise<number> {
  const revision = await harness.store.streamRevision(`board-${boardId}`);
  return revision === null ? -1 : Number(revision);
}
