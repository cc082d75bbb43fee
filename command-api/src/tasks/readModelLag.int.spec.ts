/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../commands/handleCommand.js';
import {
  createBoardApiHarness,
  createBoardFixture,
  type BoardApiHarness,
  type BoardFixture,
} from '../boards/boardApi.testkit.js';

let api: BoardApiHarness;
let board: BoardFixture;

beforeAll(async () => {
  // Projection only when asked: the read model lags the store as long as a test wants.
  api = await createBoardApiHarness({ projection: 'manual' });
  board = await createBoardFixture(api);
  await api.project();
});
afterAll(async () => api.close());

/** Another command-api node: same store, its own state cache. */
const otherNode = () => createCommandHandler({ store: api.store });
const meta = () => ({ now: new Date().toISOString(), actorId: board.editor });

describe('Board API: task routes while the read model lags', () => {
  describe('when this node created the task a moment ago', () => {
    it('reads and changes it at once, from the board state', async () => {
      const created = await api.request('POST', `/boards/${board.boardId}/tasks`, {
        as: board.editor,
        body: { title: 'Fresh' },
      });
      expect(created.status).toBe(201);
      const read = await api.request('GET', `/tasks/${created.body.id}`, { as: board.viewer });
      expect(read.status).toBe(200);
      expect(read.body.title).toBe('Fresh');
      const patched = await api.request('PATCH', `/tasks/${created.body.id}`, {
        as: board.editor,
        body: { title: 'Fresher' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.title).toBe('Fresher');
    });
  });

  describe('when another node created the task and the projector catches up within the grace period', () => {
    it('waits for the read model instead of answering a false 404', async () => {
      const taskId = randomUUID();
      await otherNode().handle(
        board.boardId,
        { type: 'CreateTask', data: { taskId, title: 'Elsewhere' }, metadata: meta() },
        { correlationId: 't' },
      );
      const projected = new Promise((resolve) => setTimeout(resolve, 300)).then(() => api.project());
      const started = performance.now();
      const response = await api.request('POST', `/tasks/${taskId}/complete`, { as: board.editor });
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('completed');
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
      await projected;
    });
  });

  describe('when the task is unknown everywhere', () => {
    it('answers 404 after the grace period', async () => {
      const started = performance.now();
      const response = await api.request('GET', `/tasks/${randomUUID()}`, { as: board.editor });
      expect(response.status).toBe(404);
      expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    });
  });

  describe('when a member was added through another node and is not projected yet', () => {
    it('lets them read the board, its events and its tasks from the store-folded state', async () => {
      const newcomer = await api.addUser('Late');
      const task = await api.request('POST', `/boards/${board.boardId}/tasks`, {
        as: board.editor,
        body: { title: 'Shared' },
      });
      await api.project();
      await otherNode().handle(
        board.boardId,
        {
          type: 'AddMember',
          data: { userId: newcomer.id, role: 'viewer' },
          metadata: { ...meta(), actorId: board.owner },
        },
        { correlationId: 't' },
      );
      expect((await api.request('GET', `/boards/${board.boardId}`, { as: newcomer.id })).status).toBe(200);
      expect((await api.request('GET', `/boards/${board.boardId}/events?after=0`, { as: newcomer.id })).status).toBe(
        200,
      );
      const read = await api.request('GET', `/tasks/${task.body.id}`, { as: newcomer.id });
      expect(read.status).toBe(200);
      expect(read.body.title).toBe('Shared');
    });
  });

  describe('when a member was removed through another node and the removal is not projected yet', () => {
    it('refuses them the board, its tasks and a task at once', async () => {
      const leaving = await api.addUser('Leaving');
      await api.request('POST', `/boards/${board.boardId}/members`, {
        as: board.owner,
        body: { userId: leaving.id, role: 'viewer' },
      });
      const task = await api.request('POST', `/boards/${board.boardId}/tasks`, {
        as: board.editor,
        body: { title: 'Private soon' },
      });
      await api.project();
      expect((await api.request('GET', `/tasks/${task.body.id}`, { as: leaving.id })).status).toBe(200);
      await otherNode().handle(
        board.boardId,
        {
          type: 'RemoveMember',
          data: { userId: leaving.id },
          metadata: { ...meta(), actorId: board.owner },
        },
        { correlationId: 't' },
      );
      expect((await api.request('GET', `/boards/${board.boardId}`, { as: leaving.id })).status).toBe(404);
      expect((await api.request('GET', `/boards/${board.boardId}/tasks`, { as: leaving.id })).status).toBe(404);
      expect((await api.request('GET', `/tasks/${task.body.id}`, { as: leaving.id })).status).toBe(404);
      await api.project();
    });
  });
});
