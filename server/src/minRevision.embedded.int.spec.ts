import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestPglite, loadConfig, type Sql } from '@primetrade/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedSystem } from './embedded.js';

/**
 * Embedded mode (PGlite, in-process bus): a write answers once appended, before the relay has
 * projected it, so a read right after it may find the read model a batch behind. With the token
 * it never does: the same gate and waiter as in cluster mode, on PGlite's LISTEN.
 */
let sql: Sql;
let dataDir: string;
let system: EmbeddedSystem;
let token = '';

async function call<T>(
  method: string,
  route: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${system.url}/api/v1${route}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      authorization: `Bearer ${token}`,
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

beforeAll(async () => {
  sql = await createTestPglite();
  dataDir = await mkdtemp(path.join(tmpdir(), 'pt-ryw-'));
  system = await startEmbedded({
    config: loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', WEB_ROOT: '' }),
    sql,
  });
  const registered = await call<{ accessToken: string }>('POST', '/auth/register', {
    body: { email: 'ryw@example.test', password: 'correct horse battery', name: 'Rita' },
  });
  token = registered.body.accessToken;
});
afterAll(async () => {
  await system.close();
  await sql.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('read-your-writes in embedded mode', () => {
  it('lists and reads a board created a moment ago, 20 times in a row', async () => {
    for (let round = 0; round < 20; round += 1) {
      const created = await call<{ board: { id: string } }>('POST', '/boards', { body: { name: `Board ${round}` } });
      expect(created.status).toBe(201);
      const boardId = created.body.board.id;
      const revision = /(\d+)/.exec(created.headers.get('etag') ?? '')?.[1] ?? '';
      const listed = await call<{ items: { id: string }[] }>('GET', '/boards?limit=100', {
        headers: { 'Min-Revision': `${boardId}:${revision}` },
      });
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((item) => item.id)).toContain(boardId);
      const task = await call<{ id: string }>('POST', `/boards/${boardId}/tasks`, { body: { title: 'First' } });
      const taskRevision = /(\d+)/.exec(task.headers.get('etag') ?? '')?.[1] ?? '';
      const tasks = await call<{ items: { id: string }[] }>('GET', `/boards/${boardId}/tasks`, {
        headers: { 'Min-Revision': taskRevision },
      });
      expect(tasks.body.items.map((item) => item.id)).toEqual([task.body.id]);
    }
  });
});
