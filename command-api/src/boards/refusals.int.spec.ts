/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  storeRevision,
  type BoardApiHarness,
  type BoardFixture,
} from './boardApi.testkit.js';

let api: BoardApiHarness;
let board: BoardFixture;
let outsider: { id: string };
let taskId: string;
let commentId: string;

beforeAll(async () => {
  api = await createBoardApiHarness();
  board = await createBoardFixture(api);
  outsider = await api.addUser('Otto');
  taskId = (await api.request('POST', `/boards/${board.boardId}/tasks`, { as: board.owner, body: { title: 'Target' } }))
    .body.id;
  commentId = (await api.request('POST', `/tasks/${taskId}/comments`, { as: board.owner, body: { body: 'Hi' } })).body
    .id;
});
afterAll(async () => api.close());

interface Write {
  readonly name: string;
  readonly method: string;
  readonly path: () => string;
  /** A body that would be accepted from the right person at the right revision. */
  readonly body?: () => unknown;
}

const b = () => `/boards/${board.boardId}`;
const t = () => `/tasks/${taskId}`;
/** Every write endpoint, with a valid request: the refusals below must come from who or when, not what. */
const writes: Write[] = [
  { name: 'patch board', method: 'PATCH', path: b, body: () => ({ name: 'Renamed' }) },
  { name: 'archive board', method: 'DELETE', path: b },
  { name: 'restore board', method: 'POST', path: () => `${b()}/restore` },
  {
    name: 'add member',
    method: 'POST',
    path: () => `${b()}/members`,
    body: () => ({ userId: outsider.id, role: 'viewer' }),
  },
  {
    name: 'change role',
    method: 'PATCH',
    path: () => `${b()}/members/${board.editor}`,
    body: () => ({ role: 'viewer' }),
  },
  { name: 'remove member', method: 'DELETE', path: () => `${b()}/members/${board.editor}` },
  { name: 'add column', method: 'POST', path: () => `${b()}/columns`, body: () => ({ name: 'Review' }) },
  {
    name: 'patch column',
    method: 'PATCH',
    path: () => `${b()}/columns/${board.columns[1]?.id}`,
    body: () => ({ name: 'Doing' }),
  },
  { name: 'remove column', method: 'DELETE', path: () => `${b()}/columns/${board.columns[1]?.id}` },
  { name: 'create task', method: 'POST', path: () => `${b()}/tasks`, body: () => ({ title: 'New' }) },
  { name: 'patch task', method: 'PATCH', path: t, body: () => ({ title: 'Changed' }) },
  { name: 'delete task', method: 'DELETE', path: t },
  { name: 'move task', method: 'POST', path: () => `${t()}/move`, body: () => ({ columnId: board.columns[1]?.id }) },
  { name: 'complete task', method: 'POST', path: () => `${t()}/complete` },
  { name: 'reopen task', method: 'POST', path: () => `${t()}/reopen` },
  { name: 'archive task', method: 'POST', path: () => `${t()}/archive` },
  { name: 'restore task', method: 'POST', path: () => `${t()}/restore` },
  { name: 'add comment', method: 'POST', path: () => `${t()}/comments`, body: () => ({ body: 'Another' }) },
  {
    name: 'edit comment',
    method: 'PATCH',
    path: () => `${t()}/comments/${commentId}`,
    body: () => ({ body: 'Edited' }),
  },
  { name: 'delete comment', method: 'DELETE', path: () => `${t()}/comments/${commentId}` },
];

async function expectRefused(
  write: Write,
  as: string | undefined,
  status: number,
  headers: Record<string, string> = {},
) {
  const before = await storeRevision(api, board.boardId);
  const response = await api.request(write.method, write.path(), {
    ...(as !== undefined ? { as } : {}),
    body: write.body?.(),
    headers,
  });
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(await storeRevision(api, board.boardId)).toBe(before);
  return response;
}

describe('Board API: refusals on every write', () => {
  describe.each(writes)('$name', (write) => {
    it('answers 401 without a token', async () => {
      const response = await expectRefused(write, undefined, 401);
      expect(response.body.code).toBe('AUTH.UNAUTHENTICATED');
    });

    it('answers 404 to a non-member', async () => {
      const response = await expectRefused(write, outsider.id, 404);
      expect(['BOARD.NOT_FOUND', 'TASK.NOT_FOUND']).toContain(response.body.code);
    });

    it('answers 403 to a viewer', async () => {
      const response = await expectRefused(write, board.viewer, 403);
      expect(['AUTH.FORBIDDEN', 'COMMENT.NOT_AUTHOR']).toContain(response.body.code);
    });

    it('answers 412 to the owner with a stale If-Match', async () => {
      const stale = `W/"${(await storeRevision(api, board.boardId)) - 1}"`;
      const response = await expectRefused(write, board.owner, 412, { 'If-Match': stale });
      expect(response.body.code).toBe('REVISION.MISMATCH');
    });
  });
});

describe('Board API: refusals on reads', () => {
  const reads = [
    () => '/boards',
    () => b(),
    () => `${b()}/tasks`,
    () => '/tasks',
    () => t(),
    () => `${t()}/comments`,
    () => `${b()}/events`,
  ];
  it.each(reads.map((path) => [path]))('answers 401 without a token (%#)', async (path) => {
    const response = await api.request('GET', path());
    expect(response.status).toBe(401);
  });
});
