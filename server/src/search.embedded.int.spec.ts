import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestPglite, loadConfig, type Sql } from '@primetrade/platform';
import { createPgSearchIndex } from '@primetrade/read-model';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmbedded, type EmbeddedSystem } from './embedded.js';

/**
 * Embedded mode feeds the search index (PostgreSQL full text without SEARCH_URL) from its own relay
 * checkpoint (docs/adr/0026-search-projection.md): what commands write becomes searchable.
 */
let sql: Sql;
let dataDir: string;
let system: EmbeddedSystem;

async function call<T>(method: string, route: string, token: string, body?: unknown) {
  const response = await fetch(`${system.url}/api/v1${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      authorization: `Bearer ${token}`,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  sql = await createTestPglite();
  dataDir = await mkdtemp(path.join(tmpdir(), 'pt-search-'));
  system = await startEmbedded({
    config: loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', WEB_ROOT: '' }),
    sql,
  });
});
afterAll(async () => {
  await system.close();
  await sql.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('search in embedded mode', () => {
  it('finds a task by a word of its comment, for its board’s member and nobody else', async () => {
    const register = (email: string) =>
      call<{ accessToken: string; user: { id: string } }>('POST', '/auth/register', '', {
        email,
        password: 'correct horse battery',
        name: email,
      }).then((answer) => answer.body);
    const owner = await register('owner@example.test');
    const stranger = await register('stranger@example.test');
    const board = await call<{ board: { id: string } }>('POST', '/boards', owner.accessToken, { name: 'Zoo' });
    const task = await call<{ id: string }>('POST', `/boards/${board.body.board.id}/tasks`, owner.accessToken, {
      title: 'Feed the animals',
    });
    const comment = await call('POST', `/tasks/${task.body.id}/comments`, owner.accessToken, {
      body: 'the walrus prefers herring',
    });
    expect(comment.status).toBe(201);

    const index = createPgSearchIndex(sql);
    await vi.waitFor(
      async () => {
        const found = await index.search({ viewerId: owner.user.id, text: 'herring', limit: 5 });
        expect(found.items.map((hit) => hit.task.id)).toEqual([task.body.id]);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect((await index.search({ viewerId: stranger.user.id, text: 'herring', limit: 5 })).total).toBe(0);
    const ready = (await (await fetch(`${system.url}/readyz`)).json()) as { checks: Record<string, unknown> };
    expect(ready.checks.search).toEqual({ ok: true });
  });
});
