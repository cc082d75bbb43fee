/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { createTestPostgresPair, type ReadRouting, type TestPostgresPair } from '@primetrade/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  type BoardApiHarness,
  type BoardFixture,
} from '../boards/boardApi.testkit.js';

let pair: TestPostgresPair;
let api: BoardApiHarness;
let routing: ReadRouting;
let board: BoardFixture;

const serverOf = (url: string) => url.replace(/\/postgres$/, '');
const revisionOf = (etag: string | null) => Number(/W\/"(\d+)"/.exec(etag ?? '')?.[1] ?? Number.NaN);
const replica = () => routing.status().replicas[0];

async function eventually(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Writes to a second board in a few loops until stopped: WAL and projections keep coming. */
function writeLoad(boardId: string, as: string, writers = 2) {
  let running = true;
  let failures = 0;
  const loops = Array.from({ length: writers }, async (_, writer) => {
    for (let n = 0; running; n += 1) {
      const created = await api.request('POST', `/boards/${boardId}/tasks`, {
        as,
        body: { title: `load ${writer}.${n}` },
      });
      if (created.status !== 201) failures += 1;
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return failures;
    },
  };
}

beforeAll(async () => {
  pair = await createTestPostgresPair();
  api = await createBoardApiHarness({
    server: serverOf(pair.primaryUrl()),
    replicas: { servers: [serverOf(pair.replicaUrl())], maxLagMs: 2_000, checkIntervalMs: 100 },
  });
  routing = api.routing!;
  board = await createBoardFixture(api);
  await eventually(() => replica()?.state === 'in');
}, 60_000);

afterAll(async () => {
  await api?.close();
  await pair?.remove();
});

describe('Reads on a streaming replica', () => {
  it('a read carrying the token of my write always sees it (1,000 writes under concurrent write load)', async () => {
    const other = await api.request('POST', '/boards', { as: board.owner, body: { name: 'Load' } });
    const load = writeLoad(String(other.body.board.id), board.owner);
    const created = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'v0' },
    });
    const taskId = String(created.body.id);
    const before = routing.status();
    const stale: string[] = [];
    for (let n = 1; n <= 1_000; n += 1) {
      const title = `v${n}`;
      const written = await api.request('PATCH', `/tasks/${taskId}`, { as: board.editor, body: { title } });
      expect(written.status).toBe(200);
      const token = revisionOf(written.headers.get('etag'));
      const read = await api.request('GET', `/tasks/${taskId}`, {
        as: board.editor,
        headers: { 'Min-Revision': String(token) },
      });
      if (read.status !== 200 || read.body.title !== title || revisionOf(read.headers.get('etag')) < token)
        stale.push(`${n}: ${read.status} ${read.body.title}`);
    }
    expect(await load.stop()).toBe(0);
    expect(stale).toEqual([]);
    const after = routing.status();
    const onReplica = (after.replicas[0]?.reads ?? 0) - (before.replicas[0]?.reads ?? 0);
    const onPrimary = after.primaryReads - before.primaryReads;
    expect(onReplica + onPrimary).toBe(1_000);
    // The replica served the reads it had replayed: the rule routed, it did not just use the primary.
    expect(onReplica).toBeGreaterThan(0);
  }, 180_000);

  it('a list across boards carrying a revision vector shows a board I just created', async () => {
    for (let n = 0; n < 50; n += 1) {
      const created = await api.request('POST', '/boards', { as: board.viewer, body: { name: `Mine ${n}` } });
      expect(created.status).toBe(201);
      const id = String(created.body.board.id);
      const listed = await api.request('GET', '/boards?limit=100', {
        as: board.viewer,
        headers: { 'Min-Revision': `${id}:${revisionOf(created.headers.get('etag'))}` },
      });
      expect(listed.status).toBe(200);
      expect((listed.body.items as { id: string }[]).map((item) => item.id)).toContain(id);
    }
  }, 60_000);

  it('reads what the API writes itself (my account, my notifications) on the primary, board reads on the replica', async () => {
    await eventually(() => replica()?.state === 'in');
    const before = routing.status();
    for (const path of ['/me', '/notifications']) {
      expect((await api.request('GET', path, { as: board.viewer })).status).toBe(200);
    }
    expect(routing.status().primaryReads).toBe(before.primaryReads + 2);
    expect(replica()?.reads).toBe(before.replicas[0]?.reads);
    expect((await api.request('GET', `/boards/${board.boardId}`, { as: board.viewer })).status).toBe(200);
    expect(replica()?.reads).toBe((before.replicas[0]?.reads ?? 0) + 1);
  });

  it('falls back to the primary while the replica is stopped (nothing fails) and uses it again once restarted', async () => {
    let reading = true;
    const statuses: number[] = [];
    const reads = (async () => {
      while (reading) {
        statuses.push((await api.request('GET', `/boards/${board.boardId}/tasks`, { as: board.viewer })).status);
      }
    })();
    try {
      await eventually(() => statuses.length > 20);
      await pair.replica.stop();
      await eventually(() => replica()?.state === 'down');
      const primaryBefore = routing.status().primaryReads;
      await eventually(() => routing.status().primaryReads > primaryBefore + 20);
      await pair.replica.start();
      await eventually(() => replica()?.state === 'in');
      const replicaBefore = replica()?.reads ?? 0;
      await eventually(() => (replica()?.reads ?? 0) > replicaBefore + 20);
    } finally {
      reading = false;
      await reads;
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  }, 90_000);
});
