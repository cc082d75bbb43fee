/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { randomUUID } from 'node:crypto';
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

beforeAll(async () => {
  api = await createBoardApiHarness();
  board = await createBoardFixture(api);
});
afterAll(async () => api.close());

describe('Board API: boards', () => {
  describe('when a board is created without columns', () => {
    it('answers 201 with the view, the default columns, the owner and an ETag', async () => {
      const owner = await api.addUser('Ada');
      const response = await api.request('POST', '/boards', {
        as: owner.id,
        body: { name: '  Roadmap  ', description: 'Q1' },
      });
      expect(response.status).toBe(201);
      expect(response.body.board).toMatchObject({
        name: 'Roadmap',
        description: 'Q1',
        archived: false,
        createdBy: owner.id,
      });
      expect(
        response.body.columns.map((column: { name: string; isDone: boolean }) => [column.name, column.isDone]),
      ).toEqual([
        ['To do', false],
        ['In progress', false],
        ['Done', true],
      ]);
      expect(response.body.members).toEqual([
        expect.objectContaining({ userId: owner.id, role: 'owner', name: 'Ada' }),
      ]);
      expect(response.body.tasks).toEqual([]);
      expect(response.headers.get('etag')).toBe(`W/"${response.body.revision}"`);
      expect(response.headers.get('location')).toBe(`/api/v1/boards/${response.body.board.id}`);
      expect(await storeRevision(api, response.body.board.id)).toBe(response.body.revision);
    });

    it('keeps the columns it is given, in order', async () => {
      const owner = await api.addUser('Bo');
      const response = await api.request('POST', '/boards', {
        as: owner.id,
        body: {
          name: 'Custom',
          columns: [
            { name: 'Backlog', wipLimit: 3 },
            { name: 'Shipped', isDone: true },
          ],
        },
      });
      expect(response.status).toBe(201);
      expect(response.body.columns).toMatchObject([
        { name: 'Backlog', wipLimit: 3, isDone: false },
        { name: 'Shipped', isDone: true, wipLimit: null },
      ]);
    });
  });

  describe('when members read the board', () => {
    it('answers the view from the read model with the revision as ETag', async () => {
      const response = await api.request('GET', `/boards/${board.boardId}`, { as: board.viewer });
      expect(response.status).toBe(200);
      expect(response.body.board.id).toBe(board.boardId);
      expect(response.body.members.map((member: { role: string }) => member.role).sort()).toEqual([
        'editor',
        'owner',
        'viewer',
      ]);
      expect(response.headers.get('etag')).toBe(`W/"${await storeRevision(api, board.boardId)}"`);
    });

    it('lists my boards with my role, page by page', async () => {
      const me = await api.addUser('Pager');
      for (const name of ['A', 'B', 'C']) await api.request('POST', '/boards', { as: me.id, body: { name } });
      const first = await api.request('GET', '/boards?limit=2', { as: me.id });
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(2);
      expect(first.body.items[0].role).toBe('owner');
      const second = await api.request('GET', `/boards?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
        as: me.id,
      });
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
      const names = [...first.body.items, ...second.body.items].map((item: { name: string }) => item.name).sort();
      expect(names).toEqual(['A', 'B', 'C']);
    });
  });

  describe('when a non-member asks', () => {
    it('answers 404 BOARD.NOT_FOUND for the board, its tasks and its events', async () => {
      for (const path of [
        `/boards/${board.boardId}`,
        `/boards/${board.boardId}/tasks`,
        `/boards/${board.boardId}/events`,
      ]) {
        const response = await api.request('GET', path, { as: board.stranger });
        expect(response.status, path).toBe(404);
        expect(response.body.code).toBe('BOARD.NOT_FOUND');
        expect(response.headers.get('content-type')).toContain('application/problem+json');
      }
    });

    it('answers 404 to writes too, changing nothing', async () => {
      const before = await storeRevision(api, board.boardId);
      const response = await api.request('PATCH', `/boards/${board.boardId}`, {
        as: board.stranger,
        body: { name: 'Mine' },
      });
      expect(response.status).toBe(404);
      expect(await storeRevision(api, board.boardId)).toBe(before);
    });
  });

  describe('when nobody is signed in', () => {
    it('answers 401 on every board route', async () => {
      const response = await api.request('GET', `/boards/${board.boardId}`);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('AUTH.UNAUTHENTICATED');
    });
  });

  describe('when the board is renamed, archived and restored', () => {
    it('answers each write with the board and the new revision', async () => {
      const { boardId, owner } = await createBoardFixture(api);
      const patched = await api.request('PATCH', `/boards/${boardId}`, {
        as: owner,
        body: { name: 'Renamed', description: 'Now with a why' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ name: 'Renamed', description: 'Now with a why' });
      expect(patched.headers.get('etag')).toBe(`W/"${patched.body.revision}"`);

      const archived = await api.request('DELETE', `/boards/${boardId}`, { as: owner });
      expect(archived.status).toBe(200);
      expect(archived.body.archived).toBe(true);
      const listed = await api.request('GET', '/boards', { as: owner });
      expect(listed.body.items.map((item: { id: string }) => item.id)).not.toContain(boardId);
      const withArchived = await api.request('GET', '/boards?includeArchived=true', { as: owner });
      expect(withArchived.body.items.map((item: { id: string }) => item.id)).toContain(boardId);

      const writeWhileArchived = await api.request('PATCH', `/boards/${boardId}`, {
        as: owner,
        body: { name: 'Nope' },
      });
      expect(writeWhileArchived.status).toBe(409);
      expect(writeWhileArchived.body.code).toBe('BOARD.ARCHIVED');

      const restored = await api.request('POST', `/boards/${boardId}/restore`, { as: owner });
      expect(restored.status).toBe(200);
      expect(restored.body.archived).toBe(false);
    });

    it('refuses the viewer (403) and the editor archiving (403), changing nothing', async () => {
      const before = await storeRevision(api, board.boardId);
      const byViewer = await api.request('PATCH', `/boards/${board.boardId}`, {
        as: board.viewer,
        body: { name: 'Viewer was here' },
      });
      expect(byViewer.status).toBe(403);
      expect(byViewer.body.code).toBe('AUTH.FORBIDDEN');
      const byEditor = await api.request('DELETE', `/boards/${board.boardId}`, { as: board.editor });
      expect(byEditor.status).toBe(403);
      expect(await storeRevision(api, board.boardId)).toBe(before);
    });
  });

  describe('when If-Match is sent', () => {
    it('writes at the current revision, accepting W/"n", "n" and n', async () => {
      const { boardId, owner } = await createBoardFixture(api);
      for (const format of [(n: number) => `W/"${n}"`, (n: number) => `"${n}"`, (n: number) => `${n}`]) {
        const revision = await storeRevision(api, boardId);
        const response = await api.request('PATCH', `/boards/${boardId}`, {
          as: owner,
          body: { description: randomUUID() },
          headers: { 'If-Match': format(revision) },
        });
        expect(response.status).toBe(200);
        expect(response.body.revision).toBe(revision + 1);
      }
    });

    it('answers 412 REVISION.MISMATCH on a stale revision and 400 on a malformed one, changing nothing', async () => {
      const before = await storeRevision(api, board.boardId);
      const stale = await api.request('PATCH', `/boards/${board.boardId}`, {
        as: board.owner,
        body: { name: 'Stale' },
        headers: { 'If-Match': `W/"${before - 1}"` },
      });
      expect(stale.status).toBe(412);
      expect(stale.body.code).toBe('REVISION.MISMATCH');
      const malformed = await api.request('PATCH', `/boards/${board.boardId}`, {
        as: board.owner,
        body: { name: 'Bad' },
        headers: { 'If-Match': 'yesterday' },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors).toEqual([expect.objectContaining({ field: 'headers.if-match' })]);
      expect(await storeRevision(api, board.boardId)).toBe(before);
    });
  });
});

describe('Board API: members', () => {
  it('adds by email or id, changes the role, removes, and answers USER.NOT_FOUND for unknown accounts', async () => {
    const { boardId, owner } = await createBoardFixture(api);
    const newcomer = await api.addUser('Newt');
    const added = await api.request('POST', `/boards/${boardId}/members`, {
      as: owner,
      body: { email: newcomer.email.toUpperCase(), role: 'viewer' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ userId: newcomer.id, name: 'Newt', role: 'viewer' });
    expect(added.headers.get('etag')).toMatch(/^W\/"\d+"$/);

    const again = await api.request('POST', `/boards/${boardId}/members`, {
      as: owner,
      body: { userId: newcomer.id, role: 'editor' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('MEMBER.ALREADY_EXISTS');

    const promoted = await api.request('PATCH', `/boards/${boardId}/members/${newcomer.id}`, {
      as: owner,
      body: { role: 'editor' },
    });
    expect(promoted.status).toBe(200);
    expect(promoted.body.role).toBe('editor');

    const removed = await api.request('DELETE', `/boards/${boardId}/members/${newcomer.id}`, { as: owner });
    expect(removed.status).toBe(204);
    expect(removed.headers.get('etag')).toBe(`W/"${await storeRevision(api, boardId)}"`);
    const gone = await api.request('GET', `/boards/${boardId}`, { as: newcomer.id });
    expect(gone.status).toBe(404);

    const before = await storeRevision(api, boardId);
    const unknown = await api.request('POST', `/boards/${boardId}/members`, {
      as: owner,
      body: { email: 'nobody@example.test', role: 'viewer' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'USER.NOT_FOUND', errors: [{ field: 'body.email' }] });
    expect(await storeRevision(api, boardId)).toBe(before);
  });

  it('reads ids spelled in capitals as the same board and person (a member added so can act)', async () => {
    const { boardId, owner, columns } = await createBoardFixture(api);
    const newcomer = await api.addUser('Cap');
    const added = await api.request('POST', `/boards/${boardId.toUpperCase()}/members`, {
      as: owner,
      body: { userId: newcomer.id.toUpperCase(), role: 'editor' },
    });
    expect([added.status, added.body.userId]).toEqual([201, newcomer.id]);
    const created = await api.request('POST', `/boards/${boardId.toUpperCase()}/tasks`, {
      as: newcomer.id,
      body: { title: 'by the newcomer', columnId: columns[0]!.id.toUpperCase() },
    });
    expect([created.status, created.body.columnId]).toEqual([201, columns[0]!.id]);
    const board = await api.request('GET', `/boards/${boardId.toUpperCase()}`, { as: newcomer.id });
    expect(board.status).toBe(200);
    expect(board.body.board.id).toBe(boardId);
  });

  it('refuses to add a disabled account (409 USER.ACCOUNT_INACTIVE), by email or id, appending nothing', async () => {
    const { boardId, owner } = await createBoardFixture(api);
    const retired = await api.addUser('Retta');
    await api.sql.query('UPDATE users SET disabled = true WHERE id = $1', [retired.id]);
    const before = await storeRevision(api, boardId);
    for (const body of [
      { email: retired.email, role: 'viewer' },
      { userId: retired.id, role: 'editor' },
    ]) {
      const response = await api.request('POST', `/boards/${boardId}/members`, { as: owner, body });
      expect([response.status, response.body.code]).toEqual([409, 'USER.ACCOUNT_INACTIVE']);
    }
    expect(await storeRevision(api, boardId)).toBe(before);
  });

  it('keeps the last owner (409) and lets only owners manage members (403)', async () => {
    const { boardId, owner, editor, viewer } = await createBoardFixture(api);
    const demoteSelf = await api.request('PATCH', `/boards/${boardId}/members/${owner}`, {
      as: owner,
      body: { role: 'editor' },
    });
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.body.code).toBe('MEMBER.LAST_OWNER');
    const byEditor = await api.request('DELETE', `/boards/${boardId}/members/${viewer}`, { as: editor });
    expect(byEditor.status).toBe(403);
  });

  it('does not tell a non-member whether an email has an account', async () => {
    const response = await api.request('POST', `/boards/${board.boardId}/members`, {
      as: board.stranger,
      body: { email: 'nobody@example.test', role: 'viewer' },
    });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('BOARD.NOT_FOUND');
  });
});

describe('Board API: columns', () => {
  it('adds, renames, limits, moves and removes columns', async () => {
    const { boardId, owner, columns } = await createBoardFixture(api);
    const [todo, doing] = columns;
    const added = await api.request('POST', `/boards/${boardId}/columns`, {
      as: owner,
      body: { name: 'Review', wipLimit: 2, afterColumnId: doing?.id },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ name: 'Review', wipLimit: 2, isDone: false });
    const review = added.body.id as string;

    const revision = await storeRevision(api, boardId);
    const patched = await api.request('PATCH', `/boards/${boardId}/columns/${review}`, {
      as: owner,
      body: { name: 'QA', wipLimit: null, beforeColumnId: todo?.id },
      headers: { 'If-Match': `W/"${revision}"` },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'QA', wipLimit: null });
    expect(patched.headers.get('etag')).toBe(`W/"${revision + 3}"`);
    const view = await api.request('GET', `/boards/${boardId}`, { as: owner });
    expect(view.body.columns.map((column: { name: string }) => column.name)).toEqual([
      'QA',
      'To do',
      'In progress',
      'Done',
    ]);

    const removed = await api.request('DELETE', `/boards/${boardId}/columns/${review}`, { as: owner });
    expect(removed.status).toBe(204);
    const unknown = await api.request('DELETE', `/boards/${boardId}/columns/${randomUUID()}`, { as: owner });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('COLUMN.NOT_FOUND');
  });

  it('applies a PATCH all-or-nothing: a bad anchor leaves the rename undone', async () => {
    const { boardId, owner, columns } = await createBoardFixture(api);
    const before = await storeRevision(api, boardId);
    const response = await api.request('PATCH', `/boards/${boardId}/columns/${columns[0]?.id}`, {
      as: owner,
      body: { name: 'Renamed', afterColumnId: randomUUID() },
    });
    expect(response.status).toBe(422);
    expect(await storeRevision(api, boardId)).toBe(before);
  });

  it('refuses to remove a column that holds tasks (409)', async () => {
    const { boardId, owner, columns } = await createBoardFixture(api);
    await api.request('POST', `/boards/${boardId}/tasks`, {
      as: owner,
      body: { title: 'Stay', columnId: columns[0]?.id },
    });
    const response = await api.request('DELETE', `/boards/${boardId}/columns/${columns[0]?.id}`, { as: owner });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('COLUMN.NOT_EMPTY');
  });
});

describe('Board API: events', () => {
  it('returns the exact tail after a revision, and everything from -1 or without after', async () => {
    const { boardId, owner, viewer } = await createBoardFixture(api);
    await api.request('PATCH', `/boards/${boardId}`, { as: owner, body: { name: 'One' } });
    await api.request('PATCH', `/boards/${boardId}`, { as: owner, body: { name: 'Two' } });
    const last = await storeRevision(api, boardId);

    const all = await api.request('GET', `/boards/${boardId}/events`, { as: viewer });
    expect(all.status).toBe(200);
    expect(all.body.events.map((event: { revision: number }) => event.revision)).toEqual(
      Array.from({ length: last + 1 }, (_, index) => index),
    );
    expect(all.body.revision).toBe(last);
    const fromStart = await api.request('GET', `/boards/${boardId}/events?after=-1`, { as: viewer });
    expect(fromStart.body.events).toEqual(all.body.events);

    const tail = await api.request('GET', `/boards/${boardId}/events?after=${last - 2}`, { as: viewer });
    expect(tail.body.events.map((event: { revision: number; type: string }) => [event.revision, event.type])).toEqual([
      [last - 1, 'BoardRenamed'],
      [last, 'BoardRenamed'],
    ]);
    expect(tail.body.events[1]).toMatchObject({ boardId, actorId: owner, data: { name: 'Two' }, schemaVersion: 1 });

    const limited = await api.request('GET', `/boards/${boardId}/events?after=0&limit=2`, { as: viewer });
    expect(limited.body.events.map((event: { revision: number }) => event.revision)).toEqual([1, 2]);
    const nothingNew = await api.request('GET', `/boards/${boardId}/events?after=${last}`, { as: viewer });
    expect(nothingNew.body.events).toEqual([]);
  });
});

describe('Board API: OpenAPI', () => {
  it('documents every board, member, column, task, comment and event route with a summary', async () => {
    const response = await api.request('GET', '/api/v1/openapi.json');
    expect(response.status).toBe(200);
    const paths = response.body.paths as Record<string, Record<string, { summary?: string; tags?: string[] }>>;
    const expected = [
      ['post', '/api/v1/boards'],
      ['get', '/api/v1/boards'],
      ['get', '/api/v1/boards/{boardId}'],
      ['patch', '/api/v1/boards/{boardId}'],
      ['delete', '/api/v1/boards/{boardId}'],
      ['post', '/api/v1/boards/{boardId}/restore'],
      ['post', '/api/v1/boards/{boardId}/members'],
      ['patch', '/api/v1/boards/{boardId}/members/{userId}'],
      ['delete', '/api/v1/boards/{boardId}/members/{userId}'],
      ['post', '/api/v1/boards/{boardId}/columns'],
      ['patch', '/api/v1/boards/{boardId}/columns/{columnId}'],
      ['delete', '/api/v1/boards/{boardId}/columns/{columnId}'],
      ['post', '/api/v1/boards/{boardId}/tasks'],
      ['get', '/api/v1/boards/{boardId}/tasks'],
      ['get', '/api/v1/tasks'],
      ['get', '/api/v1/tasks/{taskId}'],
      ['patch', '/api/v1/tasks/{taskId}'],
      ['delete', '/api/v1/tasks/{taskId}'],
      ['post', '/api/v1/tasks/{taskId}/move'],
      ['post', '/api/v1/tasks/{taskId}/complete'],
      ['post', '/api/v1/tasks/{taskId}/reopen'],
      ['post', '/api/v1/tasks/{taskId}/archive'],
      ['post', '/api/v1/tasks/{taskId}/restore'],
      ['get', '/api/v1/tasks/{taskId}/comments'],
      ['post', '/api/v1/tasks/{taskId}/comments'],
      ['patch', '/api/v1/tasks/{taskId}/comments/{commentId}'],
      ['delete', '/api/v1/tasks/{taskId}/comments/{commentId}'],
      ['get', '/api/v1/boards/{boardId}/events'],
    ];
    for (const [method = '', path = ''] of expected) {
      expect(paths[path]?.[method]?.summary, `${method} ${path}`).toMatch(/\w/);
    }
  });
});
