/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  storeRevision,
  type BoardApiHarness,
  type BoardFixture,
} from '../boards/boardApi.testkit.js';

let api: BoardApiHarness;
let board: BoardFixture;

const h = () => `/boards/${board.boardId}`;
const undo = (revision: unknown, as: string) => api.request('POST', `${h()}/undo`, { as, body: { revision } });
const task = async (taskId: string, as = board.owner) => (await api.request('GET', `/tasks/${taskId}`, { as })).body;
const newTask = async (title: string, as = board.owner) => {
  const created = await api.request('POST', `${h()}/tasks`, { as, body: { title, labels: ['ops'], priority: 'high' } });
  return { id: created.body.id as string, revision: Number(/\d+/.exec(created.headers.get('etag') ?? '')?.[0]) };
};
const revisionOf = (response: { headers: Headers }) => Number(/\d+/.exec(response.headers.get('etag') ?? '')?.[0]);

beforeAll(async () => {
  api = await createBoardApiHarness();
  board = await createBoardFixture(api);
});
afterAll(async () => api.close());

describe('POST /boards/:boardId/undo', () => {
  it('undoes a whole change (a move into Done that also completed the task) and links it to the undone change', async () => {
    const { id } = await newTask('Ship it');
    const done = board.columns.find((column) => column.isDone);
    const moved = await api.request('POST', `/tasks/${id}/move`, { as: board.editor, body: { columnId: done?.id } });
    const response = await undo(revisionOf(moved), board.editor);
    expect(response.status).toBe(200);
    expect(response.body.events.map((event: { type: string }) => event.type)).toEqual(['TaskReopened', 'TaskMoved']);
    expect(response.body.undone.last - response.body.undone.first).toBe(1);
    const stored = await api.store.readStream(`board-${board.boardId}`);
    const firstUndone = stored[response.body.undone.first];
    expect(stored.at(-1)?.metadata.causationId).toBe(firstUndone?.id);
    expect(await task(id)).toMatchObject({ columnId: board.columns[0]?.id, status: 'open' });
  });

  it('brings a deleted task back exactly, and the read model shows it again', async () => {
    const { id } = await newTask('Keep me');
    await api.request('POST', `/tasks/${id}/comments`, { as: board.editor, body: { body: 'Important' } });
    const before = await task(id);
    const deleted = await api.request('DELETE', `/tasks/${id}`, { as: board.owner });
    expect((await api.request('GET', `/tasks/${id}`, { as: board.owner })).status).toBe(404);
    expect((await undo(revisionOf(deleted), board.owner)).status).toBe(200);
    const back = await task(id);
    expect({ ...back, updatedAt: undefined }).toEqual({ ...before, updatedAt: undefined });
  });

  it('refuses with the reason when a later change would be overwritten, and appends nothing', async () => {
    const { id } = await newTask('Title A');
    const first = await api.request('PATCH', `/tasks/${id}`, { as: board.owner, body: { title: 'Title B' } });
    await api.request('PATCH', `/tasks/${id}`, { as: board.editor, body: { title: 'Title C' } });
    const head = await storeRevision(api, board.boardId);
    const response = await undo(revisionOf(first), board.owner);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      code: 'UNDO.UNSAFE',
      detail: 'The title of “Title A” was changed again since',
    });
    expect(await storeRevision(api, board.boardId)).toBe(head);
  });

  it("lets editors undo only their own changes, owners anyone's, and hides the board from strangers", async () => {
    const { revision } = await newTask('Owner made', board.owner);
    expect((await undo(revision, board.editor)).body.code).toBe('AUTH.FORBIDDEN');
    expect((await undo(revision, board.viewer)).status).toBe(403);
    expect((await undo(revision, board.stranger)).status).toBe(404);
    const mine = await newTask('Editor made', board.editor);
    expect((await undo(mine.revision, board.editor)).status).toBe(200);
  });

  it('refuses to add back a removed member whose account is disabled or erased, and appends nothing', async () => {
    for (const [name, retire, detail] of [
      ['Dora', (id: string) => api.sql.query('UPDATE users SET disabled = true WHERE id = $1', [id]), 'is disabled'],
      ['Erin', (id: string) => api.sql.query('DELETE FROM users WHERE id = $1', [id]), 'was erased'],
    ] as const) {
      const person = await api.addUser(name);
      expect(
        (await api.request('POST', `${h()}/members`, { as: board.owner, body: { userId: person.id, role: 'editor' } }))
          .status,
      ).toBe(201);
      const removed = await api.request('DELETE', `${h()}/members/${person.id}`, { as: board.owner });
      await retire(person.id);
      const head = await storeRevision(api, board.boardId);
      const response = await undo(revisionOf(removed), board.owner);
      expect([response.status, response.body.code]).toEqual([409, 'USER.ACCOUNT_INACTIVE']);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body.detail).toContain(detail);
      expect(await storeRevision(api, board.boardId)).toBe(head);
    }
  });

  it('answers clear errors for bad input and unknown revisions, changing nothing', async () => {
    const head = await storeRevision(api, board.boardId);
    for (const bad of [-1, 1.5, 'x', null]) {
      const response = await undo(bad, board.owner);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION.FAILED');
    }
    expect(
      (await api.request('POST', `${h()}/undo`, { as: board.owner, body: { revision: 1, extra: true } })).status,
    ).toBe(400);
    expect((await undo(head + 50, board.owner)).body.code).toBe('UNDO.CHANGE_NOT_FOUND');
    expect((await undo(0, board.owner)).body.code).toBe('UNDO.NOT_UNDOABLE');
    expect((await api.request('POST', `${h()}/undo`, { body: { revision: 1 } })).status).toBe(401);
    expect(await storeRevision(api, board.boardId)).toBe(head);
  });
});
