import { randomUUID } from 'node:crypto';
import type { BoardViewDto } from '@primetrade/domain';
import {
  createInMemoryEventStore,
  createPostgresSql,
  createReadRouting,
  toEnvelope,
  type EventStore,
  type ReadRouting,
  type Sql,
} from '@primetrade/platform';
import { applyEnvelopes } from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';
import pg from 'pg';
import type { AppConfig, AppDeps } from '../app.js';
import { startTestApp, type TestApp } from '../http/app.testkit.js';

/**
 * The board API's integration tests run the real app (D1's `startTestApp`: real auth,
 * problem middleware, body parser, rate limit and idempotency middleware) on the in-memory
 * event store, with the read models in a fresh PostgreSQL database of their own.
 *
 * Read-your-writes: after every append the store wrapper projects the new events (global
 * order, serialised) before the request answers, so tests see the read model caught up.
 * The lag itself is covered by the task lookup, which never needs the read model for a task
 * this node wrote.
 */
export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, loosely typed: the assertions check the shape. */
  readonly body: Json;
}

/** JSON as the tests read it: any property or index may be read, and is `Json` again. */
export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- see above

export interface RequestOptions {
  /** The user id to authenticate as (their access token is sent). */
  readonly as?: string;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent verbatim as application/json (malformed bodies). */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
}

export interface BoardApiHarness {
  readonly app: TestApp;
  readonly store: EventStore;
  readonly sql: Sql;
  /** The read replicas' routing, when the harness was given replicas. */
  readonly routing: ReadRouting | null;
  /** Brings the read models up to the store now. */
  project(): Promise<void>;
  /** Registers an account through the API; returns its id and email. */
  addUser(name: string): Promise<{ id: string; email: string }>;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

const machineServer = 'postgres://postgres@127.0.0.1:5432';

/** A stand-in for relay + projector: applies everything new in the store, in global order, one run at a time. */
function createCatchUp(store: EventStore, sql: Sql): () => Promise<void> {
  let after: string | null = null;
  let chain: Promise<void> = Promise.resolve();
  const catchUp = async () => {
    const stored = await store.readAll({ after });
    if (stored.length === 0) return;
    await applyEnvelopes(sql, stored.map(toEnvelope));
    after = stored.at(-1)?.position ?? after;
  };
  return () => {
    chain = chain.then(catchUp);
    return chain;
  };
}

function projectingStore(store: EventStore, project: () => Promise<void>): EventStore {
  const wrapper = Object.create(store) as EventStore;
  wrapper.appendToStream = async (streamId, events, options) => {
    const result = await store.appendToStream(streamId, events, options);
    await project();
    return result;
  };
  return wrapper;
}

export interface HarnessOptions {
  /** 'sync' (default): project before each write answers. 'manual': only when `project()` is called (read-model lag). */
  readonly projection?: 'sync' | 'manual';
  /** More app dependencies (e.g. a statistics cache in Redis). */
  readonly deps?: Partial<Omit<AppDeps, 'config' | 'store'>>;
  /** App settings to override (e.g. the `Min-Revision` wait). */
  readonly config?: Partial<AppConfig>;
  /** Access-token lifetime, for tests that move the clock by days. Default 900 s. */
  readonly accessTtlSeconds?: number;
  /** Another PostgreSQL server than the machine's (`postgres://user@host:port`), e.g. a test pair's primary. */
  readonly server?: string;
  /** Streaming replicas of `server` (same form) the app reads from (docs/adr/0029-read-replicas.md). */
  readonly replicas?: {
    readonly servers: readonly string[];
    readonly maxLagMs: number;
    readonly checkIntervalMs: number;
  };
  /** Wraps the app's read-model `Sql` (a statement counter, docs/adr/0018); the projection writes around it. */
  readonly decorateSql?: (sql: Sql) => Sql;
}

export async function createBoardApiHarness(options: HarnessOptions = {}): Promise<BoardApiHarness> {
  const dbName = `pt_boardapi_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const server = options.server ?? machineServer;
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const sql = createPostgresSql({ connectionString: `${server}/${dbName}`, max: 6 });
  await runMigrations(sql);
  const routing = options.replicas
    ? createReadRouting({
        primary: sql,
        replicaUrls: options.replicas.servers.map((replica) => `${replica}/${dbName}`),
        maxLagMs: options.replicas.maxLagMs,
        checkIntervalMs: options.replicas.checkIntervalMs,
        poolMax: 6,
      })
    : null;
  const raw = createInMemoryEventStore();
  const project = createCatchUp(raw, sql);
  const store = options.projection === 'manual' ? raw : projectingStore(raw, project);
  const app = await startTestApp({
    sql: routing?.sql ?? sql,
    deps: {
      ...options.deps,
      ...(options.decorateSql ? { sql: options.decorateSql(routing?.sql ?? sql) } : {}),
      store,
      ...(routing ? { readRouting: routing } : {}),
    },
    ...(options.config ? { config: options.config } : {}),
    ...(options.accessTtlSeconds ? { accessTtlSeconds: options.accessTtlSeconds } : {}),
  });
  const tokens = new Map<string, string>();

  return {
    app,
    store,
    sql,
    routing,
    project,
    async addUser(name) {
      const user = await app.registerUser({ name });
      tokens.set(user.user.id, user.accessToken);
      return { id: user.user.id, email: user.email };
    },
    async request(method, path, { as, body, raw, headers = {} } = {}) {
      const token = as === undefined ? undefined : tokens.get(as);
      return app.request<Json>(method, path, {
        ...(token !== undefined ? { token } : {}),
        ...(raw !== undefined ? { rawBody: raw } : { body }),
        headers: raw !== undefined ? { 'content-type': 'application/json', ...headers } : headers,
      });
    },
    async close() {
      await app.close();
      await (routing?.sql ?? sql).close();
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
  const [owner, editor, viewer, stranger] = await Promise.all(
    ['Olga', 'Eddie', 'Vera', 'Stan'].map((name) => harness.addUser(name)),
  );
  if (!owner || !editor || !viewer || !stranger) throw new Error('users not created');
  const created = await harness.request('POST', '/boards', { as: owner.id, body: { name: 'Launch' } });
  if (created.status !== 201) throw new Error(`board not created: ${JSON.stringify(created.body)}`);
  const view = created.body as BoardViewDto;
  const boardId = view.board.id;
  for (const [user, role] of [
    [editor, 'editor'],
    [viewer, 'viewer'],
  ] as const) {
    const added = await harness.request('POST', `/boards/${boardId}/members`, {
      as: owner.id,
      body: { userId: user.id, role },
    });
    if (added.status !== 201) throw new Error(`member not added: ${JSON.stringify(added.body)}`);
  }
  return {
    boardId,
    owner: owner.id,
    editor: editor.id,
    viewer: viewer.id,
    stranger: stranger.id,
    columns: view.columns,
  };
}

/** The board stream's last revision straight from the store (-1 when absent). */
export async function storeRevision(harness: BoardApiHarness, boardId: string): Promise<number> {
  const revision = await harness.store.streamRevision(`board-${boardId}`);
  return revision === null ? -1 : Number(revision);
}
