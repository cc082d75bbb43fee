/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON (`Json`) */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  type BoardApiHarness,
  type BoardFixture,
} from '../boards/boardApi.testkit.js';

let api: BoardApiHarness;
let board: BoardFixture;

beforeAll(async () => {
  api = await createBoardApiHarness();
  board = await createBoardFixture(api);
});
afterAll(async () => api.close());

describe('GET /internal/board-of-task/:taskId (for nginx board affinity)', () => {
  it('names the board of a known task in X-Board-Id, with 204', async () => {
    const created = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'Where am I' },
    });
    expect(created.status).toBe(201);
    const answer = await api.request('GET', `/internal/board-of-task/${created.body.id}`, { as: board.viewer });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('x-board-id')).toBe(board.boardId);
  });

  it('answers 204 without a board for a task it does not know, so nginx hashes on the task id', async () => {
    const answer = await api.request('GET', `/internal/board-of-task/${randomUUID()}`, { as: board.viewer });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('x-board-id')).toBeNull();
  });

  it('requires an access token', async () => {
    const answer = await api.request('GET', `/internal/board-of-task/${randomUUID()}`);
    expect(answer.status).toBe(401);
  });
});
