/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoardApiHarness, type BoardApiHarness, type Json } from '../boards/boardApi.testkit.js';
import type { RegisteredUser } from '../http/app.testkit.js';

/**
 * Erasure redacts the person's name and e-mail in other people's remembered idempotent answers,
 * and only there: a value that merely equals the name (a person called "open", a task status
 * "open") is somebody else's data and stays.
 */
describe('Erasure: redaction of remembered answers touches only the person’s own fields', () => {
  let h: BoardApiHarness;
  let admin: RegisteredUser;
  let owner: RegisteredUser;
  let person: RegisteredUser;
  let boardId: string;
  const as = (user: RegisteredUser) => ({ token: user.accessToken });
  const replay = (path: string, body: unknown, key: string) =>
    h.app.request<Json>('POST', path, { ...as(owner), body, headers: { 'Idempotency-Key': key } });

  beforeAll(async () => {
    h = await createBoardApiHarness();
    admin = await h.app.registerUser({ name: 'Root Admin' });
    owner = await h.app.registerUser({ name: 'Olga Owner' });
    person = await h.app.registerUser({ name: 'open', email: `open.${randomBytes(3).toString('hex')}@example.test` });
    boardId = (await h.app.request<Json>('POST', '/boards', { ...as(owner), body: { name: 'open' } })).body.board.id;
  });
  afterAll(async () => {
    await h.close();
  });

  it('erases the name of a person called "open" in the member answer, and keeps status "open" and a board named "open"', async () => {
    const added = await replay(`/boards/${boardId}/members`, { email: person.email, role: 'editor' }, 'add-open');
    expect([added.status, added.body.name]).toEqual([201, 'open']);
    const task = await replay(
      `/boards/${boardId}/tasks`,
      { title: 'open', assigneeIds: [person.user.id] },
      'task-open',
    );
    expect([task.status, task.body.status, task.body.title]).toEqual([201, 'open', 'open']);
    const column = await replay(`/boards/${boardId}/columns`, { name: 'open' }, 'column-open');
    expect([column.status, column.body.name]).toEqual([201, 'open']);

    const erased = await h.app.request<Json>('DELETE', `/admin/users/${person.user.id}`, as(admin));
    expect(erased.body).toEqual({
      id: person.user.id,
      redactedAnswers: 1,
      removedFrom: [boardId],
      successorAppointedIn: [],
    });

    const member = await replay(`/boards/${boardId}/members`, { email: person.email, role: 'editor' }, 'add-open');
    expect(member.headers.get('idempotent-replayed')).toBe('true');
    expect(member.body).toMatchObject({ userId: person.user.id, name: '[erased]' });
    const replayedTask = await replay(
      `/boards/${boardId}/tasks`,
      { title: 'open', assigneeIds: [person.user.id] },
      'task-open',
    );
    expect(replayedTask.body).toMatchObject({ status: 'open', title: 'open', assigneeIds: [person.user.id] });
    expect((await replay(`/boards/${boardId}/columns`, { name: 'open' }, 'column-open')).body.name).toBe('open');
  });
});
