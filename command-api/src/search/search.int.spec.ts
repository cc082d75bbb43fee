/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON; the assertions check their shape */
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { createGuardedSql, createTestPglite } from '@primetrade/platform';
import { createOpenSearchIndex, createPgSearchIndex, type SearchTaskDocument } from '@primetrade/read-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../boards/boardApi.testkit.js';
import { startTestApp, type RegisteredUser, type TestApp } from '../http/app.testkit.js';

let api: TestApp;
let alice: RegisteredUser;
let bob: RegisteredUser;
let carol: RegisteredUser;
let dave: RegisteredUser;
const boardA = randomUUID();
const boardB = randomUUID();
const boardC = randomUUID();
const column = randomUUID();
const at = (day: string) => `${day}T09:00:00.000Z`;

const doc = (boardId: string, title: string, fields: Partial<SearchTaskDocument> = {}): SearchTaskDocument => ({
  id: randomUUID(),
  boardId,
  columnId: column,
  title,
  description: '',
  labels: [],
  comments: [],
  assigneeIds: [],
  priority: 'medium',
  dueDate: null,
  status: 'open',
  archived: false,
  createdAt: at('2026-10-01'),
  updatedAt: at('2026-10-01'),
  ...fields,
});

let tasks: Record<string, SearchTaskDocument>;
const search = (user: RegisteredUser | null, query: string) =>
  api.request<Json>('GET', `/search${query}`, user ? { token: user.accessToken } : {});
const titles = (body: { items: { task: { title: string } }[] }) => body.items.map((hit) => hit.task.title).sort();

beforeAll(async () => {
  api = await startTestApp();
  [alice, bob, carol, dave] = [
    await api.registerUser(),
    await api.registerUser(),
    await api.registerUser(),
    await api.registerUser(),
  ];
  const me = (user: RegisteredUser) => user.user.id;
  tasks = {
    login: doc(boardA, 'Urgent: fix login bug', {
      description: 'Users cannot sign in since the release',
      labels: ['bug'],
      assigneeIds: [me(alice)],
      priority: 'urgent',
      dueDate: at('2026-12-10'),
    }),
    notes: doc(boardA, 'Write release notes', {
      description: 'Summarize the urgent fixes',
      labels: ['docs'],
      status: 'completed',
      dueDate: at('2026-11-01'),
    }),
    hotfix: doc(boardA, 'Deploy urgent hotfix', { labels: ['ops', 'bug'], priority: 'high' }),
    escalation: doc(boardB, 'Urgent customer escalation', { priority: 'urgent', dueDate: at('2026-12-06') }),
    archived: doc(boardB, 'Urgent but archived', { archived: true }),
    secret: doc(boardC, 'Urgent secret plan', { priority: 'urgent' }),
  };
  const index = createPgSearchIndex(api.sql);
  const on = (boardId: string) => Object.values(tasks).filter((task) => task.boardId === boardId);
  await index.apply([
    { boardId: boardA, revision: 1, memberIds: [me(alice), me(bob), me(dave)] },
    { boardId: boardA, revision: 2, upserts: on(boardA) },
    { boardId: boardA, revision: 3, memberIds: [me(alice), me(bob)] },
    { boardId: boardB, revision: 1, memberIds: [me(alice)], upserts: on(boardB) },
    { boardId: boardC, revision: 1, memberIds: [me(carol)], upserts: on(boardC) },
  ]);
});
afterAll(async () => api.close());

describe('GET /search', () => {
  describe('across my boards', () => {
    it('finds tasks of both my boards with a typo, title matches first, with highlights and facets', async () => {
      const response = await search(alice, '?q=urgnt');
      expect(response.status).toBe(200);
      expect(titles(response.body)).toEqual([
        'Deploy urgent hotfix',
        'Urgent customer escalation',
        'Urgent: fix login bug',
        'Write release notes',
      ]);
      expect(response.body.total).toBe(4);
      expect(response.body.items.at(-1).task.title).toBe('Write release notes');
      const login = response.body.items.find((hit: { task: { id: string } }) => hit.task.id === tasks.login?.id);
      expect(login.highlights.title).toEqual([
        { text: 'Urgent', match: true },
        { text: ': fix login bug', match: false },
      ]);
      expect(login.task).not.toHaveProperty('comments');
      expect(response.body.facets.board).toEqual([
        { value: boardA, count: 3 },
        { value: boardB, count: 1 },
      ]);
      expect(response.body.facets.status).toEqual([
        { value: 'open', count: 3 },
        { value: 'completed', count: 1 },
      ]);
      expect(response.body.nextCursor).toBeNull();
    });

    it('finds nothing of a board for an outsider, nor for a member who left', async () => {
      expect(titles((await search(carol, '?q=urgent')).body)).toEqual(['Urgent secret plan']);
      const left = await search(dave, '?q=urgent');
      expect(left.status).toBe(200);
      expect(left.body).toMatchObject({ items: [], total: 0, nextCursor: null });
      expect(left.body.facets.board).toEqual([]);
      // Naming a board one is not on narrows to nothing rather than widening.
      expect((await search(carol, `?boardId=${boardA}`)).body.total).toBe(0);
    });
  });

  describe('filters', () => {
    it('answer the seed’s example: title matches “urgent”, due on or after a date', async () => {
      const response = await search(alice, `?q=urgent&dueFrom=${encodeURIComponent(at('2026-12-07'))}`);
      expect(titles(response.body)).toEqual(['Urgent: fix login bug']);
    });

    it('narrow by boards (repeated or a comma list), label, priority, status, assignee, archived and due range', async () => {
      expect((await search(alice, `?boardId=${boardB}`)).body.total).toBe(1);
      expect((await search(alice, `?boardId=${boardA},${boardB}`)).body.total).toBe(4);
      expect((await search(alice, `?boardId=${boardA}&boardId=${boardB}`)).body.total).toBe(4);
      expect(titles((await search(alice, '?label=bug&priority=high')).body)).toEqual(['Deploy urgent hotfix']);
      expect(titles((await search(alice, '?status=completed')).body)).toEqual(['Write release notes']);
      expect(titles((await search(alice, '?assigneeId=me')).body)).toEqual(['Urgent: fix login bug']);
      expect(titles((await search(alice, '?archived=true')).body)).toEqual(['Urgent but archived']);
      const range = `?dueFrom=${at('2026-11-01')}&dueBefore=${at('2026-12-07')}&sort=dueDate&order=asc`;
      expect((await search(alice, range)).body.items.map((hit: { task: { title: string } }) => hit.task.title)).toEqual(
        ['Write release notes', 'Urgent customer escalation'],
      );
      expect((await search(alice, `?columnId=${randomUUID()}`)).body.total).toBe(0);
    });

    it('count facets over everything the query matches', async () => {
      const { body } = await search(alice, '?priority=urgent');
      expect(body.facets.priority).toEqual([{ value: 'urgent', count: 2 }]);
      expect(body.facets.assignee).toEqual([{ value: alice.user.id, count: 1 }]);
      expect(body.facets.label).toEqual([{ value: 'bug', count: 1 }]);
    });
  });

  it('pages with a cursor through every hit once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const response = await search(alice, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(4);
      seen.push(...response.body.items.map((hit: { task: { id: string } }) => hit.task.id));
      cursor = response.body.nextCursor;
      if (cursor === null) break;
    }
    expect(cursor).toBeNull();
    const expected = [tasks.login, tasks.notes, tasks.hotfix, tasks.escalation].map((task) => task?.id);
    expect(seen.sort()).toEqual(expected.sort());
  });

  describe('refusals', () => {
    it.each([
      ['limit=0', 'query.limit'],
      ['limit=101', 'query.limit'],
      ['priority=critical', 'query.priority'],
      ['status=done', 'query.status'],
      ['dueFrom=tomorrow', 'query.dueFrom'],
      ['boardId=not-a-board', 'query.boardId.0'],
      ['sort=title', 'query.sort'],
      ['archived=maybe', 'query.archived'],
      ['cursor=forged', 'query.cursor'],
      [`q=${'x'.repeat(201)}`, 'query.q'],
    ])('answers 400 problem+json to %s', async (query, field) => {
      const response = await search(alice, `?${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ code: 'VALIDATION.FAILED' });
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('answers 429 with Retry-After once the per-user API budget is spent, like every other query', async () => {
      const limited = await startTestApp({ sql: api.sql, rateLimitPoints: 2 });
      try {
        const statuses: number[] = [];
        let last: Awaited<ReturnType<typeof limited.request<Json>>> | undefined;
        for (let call = 0; call < 3; call += 1) {
          last = await limited.request<Json>('GET', '/search?q=urgent', { token: alice.accessToken });
          statuses.push(last.status);
        }
        expect(statuses).toEqual([200, 200, 429]);
        expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(last?.body).toMatchObject({ code: 'RATE_LIMITED' });
      } finally {
        await limited.close();
      }
    });

    it('answers 401 without a token', async () => {
      const response = await search(null, '?q=urgent');
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
    });
  });

  it('answers 503 with Retry-After when the search engine cannot be reached', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const down = await startTestApp({
      sql: api.sql,
      deps: { search: createOpenSearchIndex({ url: `http://127.0.0.1:${closed}`, requestTimeoutMs: 2_000 }) },
    });
    try {
      const response = await down.request<Json>('GET', '/search?q=urgent', { token: alice.accessToken });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(response.body).toMatchObject({ code: 'SERVICE.UNAVAILABLE' });
    } finally {
      await down.close();
    }
  });

  it('answers 503 with Retry-After while the breaker of the PostgreSQL it searches is open (cluster mode)', async () => {
    const lost = await createTestPglite();
    await lost.close(); // the database is gone: every call fails, as with a server that went away
    const guarded = createGuardedSql(lost, { name: 'search-test' });
    for (let call = 0; call < 3; call += 1) await guarded.query('SELECT 1').catch(() => undefined);
    expect(guarded.breakerState()).toBe('open');
    const down = await startTestApp({ sql: api.sql, deps: { search: createPgSearchIndex(guarded) } });
    try {
      const response = await down.request<Json>('GET', '/search?q=urgent', { token: alice.accessToken });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(response.body).toMatchObject({ code: 'SERVICE.UNAVAILABLE' });
    } finally {
      await down.close();
    }
  });
});
