/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoardApiHarness, type BoardApiHarness, type Json } from '../boards/boardApi.testkit.js';

let api: BoardApiHarness;
let admin: string;
let user: string;
let boardId: string;

beforeAll(async () => {
  api = await createBoardApiHarness();
  admin = (await api.addUser('Ada')).id; // the first account is the admin
  user = (await api.addUser('Bob')).id;
  boardId = (await api.request('POST', '/boards', { as: user, body: { name: 'Launch' } })).body.board.id;
  for (const title of ['one', 'two', 'three'])
    await api.request('POST', `/boards/${boardId}/tasks`, { as: user, body: { title } });
});
afterAll(async () => api.close());

async function rebuildEnds(): Promise<Json> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const status = await api.request('GET', '/admin/projections', { as: admin });
    if (status.body.rebuild?.state !== 'running') return status.body.rebuild;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the rebuild did not end');
}

describe('Admin: projections', () => {
  it('shows where the projections stand', async () => {
    const response = await api.request('GET', '/admin/projections', { as: admin });
    expect(response.status).toBe(200);
    expect(response.body.boards.projected).toBeGreaterThanOrEqual(1);
    expect(response.body).toMatchObject({ kafkaOffsets: [], rebuild: null });
    expect(Array.isArray(response.body.checkpoints)).toBe(true);
  });

  it('rebuilds the read models on request, reports progress, and leaves the same board behind', async () => {
    const before = (await api.request('GET', `/boards/${boardId}`, { as: user })).body;
    const [first, second] = await Promise.all([
      api.request('POST', '/admin/projections/rebuild', { as: admin }),
      api.request('POST', '/admin/projections/rebuild', { as: admin }),
    ]);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ state: 'running', finishedAt: null });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('PROJECTION.REBUILD_RUNNING');
    const ended = await rebuildEnds();
    expect(ended).toMatchObject({ state: 'succeeded', phase: 'done', error: null });
    expect(ended.result.events).toBeGreaterThanOrEqual(5);
    expect((await api.request('GET', `/boards/${boardId}`, { as: user })).body).toEqual(before);
  });

  it('is for administrators only', async () => {
    for (const [method, path] of [
      ['GET', '/admin/projections'],
      ['POST', '/admin/projections/rebuild'],
    ] as const) {
      expect((await api.request(method, path, { as: user })).status).toBe(403);
      expect((await api.request(method, path)).status).toBe(401);
    }
  });
});
