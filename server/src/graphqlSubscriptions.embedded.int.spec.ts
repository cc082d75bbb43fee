import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestPglite, loadConfig, type Sql } from '@primetrade/platform';
import { startEmbedded, type EmbeddedSystem } from './embedded.js';

/**
 * Embedded mode, the whole path: a command over HTTP → the store → the relay → the in-process bus → the
 * realtime fan-out → a graphql-ws subscriber on the same server (docs/adr/0028-graphql-endpoint.md).
 */
let sql: Sql;
let dataDir: string;
let system: EmbeddedSystem;
let token = '';
let client: Client;

async function call<T>(method: string, route: string, body?: unknown) {
  const response = await fetch(`${system.url}/api/v1${route}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  sql = await createTestPglite();
  dataDir = await mkdtemp(path.join(tmpdir(), 'pt-gqlsubs-'));
  system = await startEmbedded({
    config: loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', WEB_ROOT: '' }),
    sql,
  });
  const registered = await call<{ accessToken: string }>('POST', '/auth/register', {
    email: 'subs@example.test',
    password: 'correct horse battery',
    name: 'Sol',
  });
  token = registered.body.accessToken;
  client = createClient({
    url: `${system.url.replace('http', 'ws')}/graphql-ws`,
    webSocketImpl: WebSocket,
    connectionParams: { token },
    retryAttempts: 0,
  });
});
afterAll(async () => {
  await client.dispose();
  await system.close();
  await sql.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('GraphQL boardEvents in embedded mode', () => {
  it('follows a board from its creation: the catch-up, then each command as it is handled', async () => {
    const created = await call<{ board: { id: string } }>('POST', '/boards', { name: 'Live' });
    expect(created.status).toBe(201);
    const boardId = created.body.board.id;
    const received: { revision: number; type: string; data: { name?: string } }[] = [];
    const stop = client.subscribe<{ boardEvents: (typeof received)[number] }>(
      {
        query: `subscription($boardId: ID!) { boardEvents(boardId: $boardId, afterRevision: 0) { revision type data } }`,
        variables: { boardId },
      },
      {
        next: ({ data }) => data && received.push(data.boardEvents),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await vi.waitFor(() => expect(received.length).toBeGreaterThan(0));
    const names = ['Alpha', 'Beta', 'Gamma'];
    const added = () =>
      received.filter((event) => event.type === 'ColumnAdded' && names.includes(event.data.name ?? ''));
    for (const name of names) {
      expect((await call('POST', `/boards/${boardId}/columns`, { name })).status).toBe(201);
    }
    await vi.waitFor(() => expect(added()).toHaveLength(3));
    const revisions = received.map((event) => event.revision);
    expect(revisions).toEqual(revisions.map((_, index) => index + 1));
    expect(added().map((event) => event.data.name)).toEqual(names);
    stop();
  });
});
