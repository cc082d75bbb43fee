/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  storeRevision,
  type BoardApiHarness,
  type BoardFixture,
  type TestResponse,
} from '../boards/boardApi.testkit.js';

let api: BoardApiHarness;
let board: BoardFixture;
const waitMs = 1_500;

beforeAll(async () => {
  // The projector runs only when a test calls `api.project()`: the read models lag at will.
  api = await createBoardApiHarness({ projection: 'manual', config: { minRevisionWaitMs: waitMs } });
  board = await createBoardFixture(api);
  await api.project();
});
afterAll(async () => api.close());

const read = (path: string, as: string, minRevision: string) =>
  api.request('GET', path, { as, headers: { 'Min-Revision': minRevision } });

/**
 * Starts a read, then projects after `afterMs`; tells whether the read answered before the projection
 * started. (Not "before `project()` returned": the projection's commit wakes the read, which may answer
 * while `project()` still finishes its own work after the commit.)
 */
async function readWhileProjecting(
  request: Promise<TestResponse>,
  afterMs = 300,
): Promise<{ response: TestResponse; early: boolean }> {
  let projecting = false;
  const projection = new Promise((resolve) => setTimeout(resolve, afterMs)).then(async () => {
    projecting = true;
    await api.project();
  });
  const response = await request;
  const early = !projecting;
  await projection;
  return { response, early };
}

describe('Min-Revision on board reads', () => {
  it('waits until the projector applied my write, then answers with it', async () => {
    const created = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'Mine' },
    });
    expect(created.status).toBe(201);
    const revision = await storeRevision(api, board.boardId);
    const { response, early } = await readWhileProjecting(
      read(`/boards/${board.boardId}/tasks`, board.editor, String(revision)),
    );
    expect(early).toBe(false);
    expect(response.status).toBe(200);
    expect((response.body.items as { id: string }[]).map((task) => task.id)).toContain(created.body.id);
  });

  it('holds back a column page (and a paged board view) until my write is projected', async () => {
    const columnId = board.columns[0]?.id ?? '';
    const created = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'Paged', columnId },
    });
    expect(created.status).toBe(201);
    const revision = await storeRevision(api, board.boardId);
    const page = await readWhileProjecting(
      read(`/boards/${board.boardId}/columns/${columnId}/tasks`, board.editor, String(revision)),
    );
    expect(page.early).toBe(false);
    expect(page.response.status).toBe(200);
    expect(page.response.body.revision).toBe(revision);
    expect((page.response.body.items as { id: string }[]).map((task) => task.id)).toContain(created.body.id);
    const again = await api.request('POST', `/tasks/${created.body.id}/complete`, { as: board.editor });
    expect(again.status).toBe(200);
    const view = await readWhileProjecting(
      read(`/boards/${board.boardId}?tasksPerColumn=5`, board.editor, String(await storeRevision(api, board.boardId))),
    );
    expect(view.early).toBe(false);
    expect(view.response.body.columnPages).toHaveLength(board.columns.length);
  });

  it('answers at once when the read models are already there, and honours the vector form', async () => {
    const revision = await storeRevision(api, board.boardId);
    const response = await read(
      `/boards/${board.boardId}`,
      board.viewer,
      `${randomUUID()}:3, ${board.boardId}:${revision}`,
    );
    expect(response.status).toBe(200);
    expect(response.body.board.revision).toBe(revision);
  });

  it('answers 503 READ_MODEL.BEHIND with Retry-After when the projection does not get there in time', async () => {
    await api.request('POST', `/boards/${board.boardId}/tasks`, { as: board.editor, body: { title: 'Stuck' } });
    const revision = await storeRevision(api, board.boardId);
    const started = performance.now();
    const response = await read(`/boards/${board.boardId}`, board.editor, String(revision));
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('READ_MODEL.BEHIND');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(waitMs - 50);
    await api.project();
  });

  it('uses the task’s board on task reads', async () => {
    const created = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'Before' },
    });
    await api.project();
    await api.request('PATCH', `/tasks/${created.body.id}`, { as: board.editor, body: { title: 'After' } });
    const revision = await storeRevision(api, board.boardId);
    // A read-model read of the task.
    const { response, early } = await readWhileProjecting(
      read(`/tasks/${created.body.id}`, board.editor, String(revision)),
    );
    expect(early).toBe(false);
    expect(response.status).toBe(200);
    expect(response.body.title).toBe('After');
  });

  it('is ignored by reads answered from the event store, and by the proxy’s board lookup: they never wait', async () => {
    const created = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'From the store' },
    });
    const revision = await storeRevision(api, board.boardId);
    const token = String(revision);
    // Not projected: a read-model read with this token would wait the full bound and answer 503.
    const events = await read(`/boards/${board.boardId}/events?after=${revision - 1}`, board.editor, token);
    expect(events.status).toBe(200);
    expect(JSON.stringify(events.body)).toContain('From the store');
    const lookup = await read(`/internal/board-of-task/${created.body.id}`, board.editor, token);
    expect(lookup.status).toBe(204);
    expect(lookup.headers.get('x-board-id')).toBe(board.boardId);
    await api.project();
  });
});

describe('Min-Revision on history and time travel (the history read model, ADR 0020)', () => {
  it('waits until the projector applied my write, then lists it and shows the board with it', async () => {
    const created = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'In the history' },
    });
    const revision = await storeRevision(api, board.boardId);
    const history = await readWhileProjecting(read(`/boards/${board.boardId}/history`, board.editor, String(revision)));
    expect(history.early).toBe(false);
    expect(history.response.body.entries[0]).toMatchObject({ revision, taskId: String(created.body.id) });
    await api.request('PATCH', `/tasks/${created.body.id}`, { as: board.editor, body: { title: 'Renamed' } });
    const renamed = await storeRevision(api, board.boardId);
    const at = await readWhileProjecting(
      read(`/boards/${board.boardId}/at?revision=${renamed}`, board.editor, String(renamed)),
    );
    expect(at.early).toBe(false);
    expect(at.response.status).toBe(200);
    expect(at.response.body.asOf.revision).toBe(renamed);
  });
});

describe('Min-Revision on lists across boards', () => {
  it('GET /boards waits for a board I just created', async () => {
    const created = await api.request('POST', '/boards', { as: board.viewer, body: { name: 'Fresh board' } });
    const boardId = created.body.board.id as string;
    const { response, early } = await readWhileProjecting(
      read('/boards', board.viewer, `${boardId}:${await storeRevision(api, boardId)}`),
    );
    expect(early).toBe(false);
    expect(response.status).toBe(200);
    expect((response.body.items as { id: string }[]).map((item) => item.id)).toContain(boardId);
  });

  it('GET /tasks waits for every board of the token', async () => {
    const other = await api.request('POST', '/boards', { as: board.editor, body: { name: 'Second' } });
    const otherId = other.body.board.id as string;
    const a = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'On the first' },
    });
    const b = await api.request('POST', `/boards/${otherId}/tasks`, {
      as: board.editor,
      body: { title: 'On the second' },
    });
    const token = `${board.boardId}:${await storeRevision(api, board.boardId)},${otherId}:${await storeRevision(api, otherId)}`;
    const { response, early } = await readWhileProjecting(read('/tasks?limit=100', board.editor, token));
    expect(early).toBe(false);
    expect(response.status).toBe(200);
    expect((response.body.items as { id: string }[]).map((task) => task.id)).toEqual(
      expect.arrayContaining([a.body.id, b.body.id]),
    );
  });

  it('a token naming a board I am not a member of leaks nothing: no wait, the same answer as an unknown board', async () => {
    await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'Not for strangers' },
    });
    const revision = await storeRevision(api, board.boardId);
    const [member, stranger, unknown] = await Promise.all([
      read('/boards', board.editor, `${board.boardId}:${revision}`),
      read('/boards', board.stranger, `${board.boardId}:${revision}`),
      read('/boards', board.stranger, `${randomUUID()}:${revision}`),
    ]);
    expect(member.status).toBe(503);
    expect(stranger.status).toBe(200);
    expect(stranger.body).toEqual(unknown.body);
    const single = await read(`/boards/${board.boardId}`, board.stranger, String(revision));
    const unknownSingle = await read(`/boards/${randomUUID()}`, board.stranger, String(revision));
    expect([single.status, single.body.code]).toEqual([404, 'BOARD.NOT_FOUND']);
    expect([unknownSingle.status, unknownSingle.body.code]).toEqual([404, 'BOARD.NOT_FOUND']);
    await api.project();
  });
});

describe('Min-Revision that is malformed', () => {
  it.each([
    ['not a number', 'abc'],
    ['a negative revision', '-1'],
    ['a board id that is not a UUID', 'board:3'],
    ['a bare revision on a list across boards', '3'],
    ['too many boards', Array.from({ length: 33 }, () => `${randomUUID()}:1`).join(',')],
  ])('answers 400 VALIDATION.FAILED naming the header for %s', async (_why, value) => {
    const response = await read('/boards', board.owner, value);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION.FAILED');
    expect(response.body.errors[0].field).toBe('headers.min-revision');
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await api.request('GET', '/openapi.json');
    const params = doc.body.paths['/api/v1/boards']?.get?.parameters as { name: string; in: string }[] | undefined;
    expect(params ?? []).toContainEqual(expect.objectContaining({ name: 'min-revision', in: 'header' }));
  });
});
