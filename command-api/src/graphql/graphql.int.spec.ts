/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import type { Sql } from '@primetrade/platform';
import { appendBigBoard } from '@primetrade/projector';
import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  storeRevision,
  type BoardApiHarness,
  type BoardFixture,
  type Json,
} from '../boards/boardApi.testkit.js';

let api: BoardApiHarness;
let board: BoardFixture;
/** Statements the app sent to the read models since the last reset (a `Sql` decorator, docs/adr/0018). */
let statements = 0;
/** Statements whose text matches this fail with an error no client may see (an unexpected failure). */
let failing: RegExp | null = null;

const counting = (sql: Sql): Sql => {
  const wrapper = Object.create(sql) as Sql;
  wrapper.query = async (text, params) => {
    statements += 1;
    if (failing?.test(text))
      throw new Error('connection to 10.0.0.7 lost: password authentication failed for "primetrade"');
    return sql.query(text, params);
  };
  return wrapper;
};

beforeAll(async () => {
  api = await createBoardApiHarness({ decorateSql: counting });
  board = await createBoardFixture(api);
});
afterAll(async () => api.close());

const gql = async (as: string | undefined, query: string, variables?: Record<string, unknown>, headers = {}) =>
  api.request('POST', '/graphql', {
    ...(as ? { as } : {}),
    body: { query, ...(variables ? { variables } : {}) },
    headers: { accept: 'application/graphql-response+json', ...headers },
  });

const codes = (body: Json): string[] =>
  ((body.errors ?? []) as Json[]).map((error) => error.extensions?.code as string);

describe('GraphQL over HTTP', () => {
  it('passes the graphql-http audit suite against our endpoint', async () => {
    const { accessToken } = await api.app.registerUser({ name: 'Auditor' });
    const results = await auditServer({
      url: `${api.app.url}/api/v1/graphql`,
      fetchFn: (input: string | URL | Request, init: RequestInit = {}) => {
        const headers = new Headers(init.headers);
        headers.set('authorization', `Bearer ${accessToken}`);
        return fetch(input, { ...init, headers });
      },
    });
    const failures = results.filter((result) => result.status !== 'ok');
    expect(failures.map((result) => `${result.id} ${result.name}: ${'reason' in result ? result.reason : ''}`)).toEqual(
      [],
    );
    expect(results.length).toBeGreaterThan(20);
  });

  it('refuses a subscription with VALIDATION.FAILED: the realtime nodes serve them on /graphql-ws', async () => {
    const response = await gql(board.owner, 'subscription($id: ID!) { boardEvents(boardId: $id) { revision } }', {
      id: board.boardId,
    });
    expect(codes(response.body)).toEqual(['VALIDATION.FAILED']);
  });

  it('answers 401 problem+json without a token, as every API route', async () => {
    const response = await gql(undefined, '{ me { name } }');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('AUTH.UNAUTHENTICATED');
  });
});

describe('Queries', () => {
  it("answers the seed's example: my name, e-mail and open tasks across my boards", async () => {
    const created = await gql(
      board.editor,
      'mutation($b: ID!) { createTask(boardId: $b, input: { title: "Seed", dueDate: "2026-02-01T00:00:00.000Z" }) { task { id } } }',
      { b: board.boardId },
    );
    expect(created.body.errors).toBeUndefined();
    const response = await gql(board.editor, '{ me { name email tasks(status: "open") { items { title dueDate } } } }');
    expect(response.status).toBe(200);
    expect(response.body.data.me.name).toBe('Eddie');
    expect(response.body.data.me.email).toMatch(/@example\.test$/);
    expect(response.body.data.me.tasks.items).toContainEqual({ title: 'Seed', dueDate: '2026-02-01T00:00:00.000Z' });
  });

  it('reads a board with columns, tasks, members, comments, statistics and history', async () => {
    const task = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'Commented' },
    });
    await api.request('POST', `/tasks/${task.body.id}/comments`, { as: board.editor, body: { body: 'Looks good' } });
    const response = await gql(
      board.viewer,
      `query($id: ID!) { board(id: $id) { name myRole columns { name tasks { title comments { body author { name } } } }
        members { role user { name } } tasks(q: "Commented") { items { id } nextCursor } statistics history(limit: 2) { entries { type actor { name } } } } }`,
      { id: board.boardId },
    );
    expect(response.body.errors).toBeUndefined();
    const read = response.body.data.board;
    expect(read.myRole).toBe('viewer');
    expect(read.members.map((member: Json) => member.user.name).sort()).toEqual(['Eddie', 'Olga', 'Vera']);
    const tasks = read.columns.flatMap((column: Json) => column.tasks);
    expect(tasks.find((item: Json) => item.title === 'Commented').comments).toEqual([
      { body: 'Looks good', author: { name: 'Eddie' } },
    ]);
    expect(read.tasks.items).toEqual([{ id: task.body.id }]);
    expect(read.statistics.boardId).toBe(board.boardId);
    expect(read.history.entries[0].type).toBe('CommentAdded');
  });

  it('pages tasks with the REST cursor and refuses bad filters with VALIDATION.FAILED', async () => {
    const first = await gql(
      board.owner,
      'query($id: ID!) { board(id: $id) { tasks(first: 1) { items { id } nextCursor } } }',
      { id: board.boardId },
    );
    const cursor = first.body.data.board.tasks.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const second = await gql(
      board.owner,
      'query($id: ID!, $c: String) { board(id: $id) { tasks(first: 1, after: $c) { items { id } } } }',
      { id: board.boardId, c: cursor },
    );
    expect(second.body.data.board.tasks.items[0].id).not.toBe(first.body.data.board.tasks.items[0].id);
    const bad = await gql(
      board.owner,
      'query($id: ID!) { board(id: $id) { tasks(status: "someday") { items { id } } } }',
      { id: board.boardId },
    );
    expect(codes(bad.body)).toEqual(['VALIDATION.FAILED']);
  });
});

describe('Authorization, as the REST routes', () => {
  it('shows an outsider nothing of the board: BOARD.NOT_FOUND, TASK.NOT_FOUND', async () => {
    const task = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'Secret' },
    });
    const response = await gql(
      board.stranger,
      'query($b: ID!, $t: ID!) { board(id: $b) { name } task(id: $t) { title } }',
      { b: board.boardId, t: task.body.id },
    );
    expect(response.body.data).toEqual({ board: null, task: null });
    expect(codes(response.body).sort()).toEqual(['BOARD.NOT_FOUND', 'TASK.NOT_FOUND']);
    const mine = await gql(board.stranger, '{ boards { items { id } } me { tasks { items { id } } } }');
    expect(mine.body.data).toEqual({ boards: { items: [] }, me: { tasks: { items: [] } } });
  });

  it('lets a viewer read but not write (AUTH.FORBIDDEN), and changes nothing', async () => {
    const before = await storeRevision(api, board.boardId);
    const response = await gql(
      board.viewer,
      'mutation($b: ID!) { createTask(boardId: $b, input: { title: "Nope" }) { task { id } } }',
      { b: board.boardId },
    );
    expect(codes(response.body)).toEqual(['AUTH.FORBIDDEN']);
    expect(await storeRevision(api, board.boardId)).toBe(before);
  });

  it('shuts out a member who left (removed): the board is gone for them', async () => {
    const leaver = await api.addUser('Lee');
    await api.request('POST', `/boards/${board.boardId}/members`, {
      as: board.owner,
      body: { userId: leaver.id, role: 'editor' },
    });
    expect(
      (await gql(leaver.id, 'query($b: ID!) { board(id: $b) { name } }', { b: board.boardId })).body.data.board.name,
    ).toBe('Launch');
    await api.request('DELETE', `/boards/${board.boardId}/members/${leaver.id}`, { as: board.owner });
    const after = await gql(leaver.id, 'query($b: ID!) { board(id: $b) { name columns { name } } }', {
      b: board.boardId,
    });
    expect(after.body.data.board).toBeNull();
    expect(codes(after.body)).toEqual(['BOARD.NOT_FOUND']);
  });
});

describe('Safety', () => {
  it('reads a board of 5,000 tasks in as many statements as a board of a few', async () => {
    const query = `query($id: ID!) { board(id: $id) { columns { tasks { title createdBy { name } assignees { name } comments { body authorId } } } members { user { name } } } }`;
    const count = async () => {
      statements = 0;
      const response = await gql(board.owner, query, { id: board.boardId });
      expect(response.body.errors).toBeUndefined();
      return {
        statements,
        tasks: response.body.data.board.columns.flatMap((column: Json) => column.tasks).length as number,
      };
    };
    const small = await count();
    const revision = await storeRevision(api, board.boardId);
    await appendBigBoard(api.store, {
      boardId: board.boardId,
      actorId: board.owner,
      columnIds: board.columns.map((column) => column.id),
      revision,
      tasks: 5_000,
    });
    const big = await count();
    expect(big.tasks).toBe(small.tasks + 5_000);
    expect(big.statements).toBe(small.statements);
    expect(big.statements).toBeLessThanOrEqual(12);
  }, 120_000);

  it('refuses a query nested too deep, and one too costly, before running it', async () => {
    const deep = await gql(
      board.owner,
      '{ me { boards { items { columns { tasks { board { columns { tasks { board { columns { name } } } } } } } } } } }',
    );
    expect(deep.status).toBe(400);
    expect(deep.body.errors[0].extensions).toMatchObject({ code: 'VALIDATION.FAILED', limit: 'depth' });
    const costly = await gql(
      board.owner,
      '{ boards(first: 100) { items { columns { tasks { comments { author { name } } } } } } }',
    );
    expect(costly.status).toBe(400);
    expect(costly.body.errors[0].extensions).toMatchObject({ code: 'VALIDATION.FAILED', limit: 'cost' });
    expect(costly.body.errors[0].message).toMatch(/estimated cost is \d+; at most 50000/);
  });

  it('shows an unexpected failure as "Internal error" with the request id, and the rest of the answer', async () => {
    failing = /FROM comments c WHERE c\.task_id = ANY/;
    const response = await gql(
      board.owner,
      'query($id: ID!) { board(id: $id) { name columns { tasks { comments { body } } } } }',
      {
        id: board.boardId,
      },
    );
    failing = null;
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ board: null });
    const [error] = response.body.errors as Json[];
    expect(error.message).toBe('Internal error');
    expect(error.extensions).toEqual({ code: 'INTERNAL', requestId: response.headers.get('x-request-id') });
    expect(JSON.stringify(response.body)).not.toMatch(/10\.0\.0\.7|password|primetrade/);
    const partial = await gql(board.owner, 'query($id: ID!) { board(id: $id) { name } }', { id: board.boardId });
    expect(partial.body.data.board.name).toEqual(expect.any(String));
  });

  it('answers a bad argument with VALIDATION.FAILED and no internals', async () => {
    const response = await gql(
      board.owner,
      'query($id: ID!) { board(id: $id) { history(limit: 2, before: -5) { revision } } }',
      { id: board.boardId },
    );
    expect(codes(response.body)).toEqual(['VALIDATION.FAILED']);
    expect(JSON.stringify(response.body)).not.toMatch(/stack|at \w+ \(/);
  });
});

describe('Mutations', () => {
  it('refuses a stale expectedRevision with REVISION.MISMATCH and applies a current one', async () => {
    const revision = await storeRevision(api, board.boardId);
    const stale = await gql(
      board.owner,
      'mutation($b: ID!, $r: Int) { updateBoard(boardId: $b, input: { name: "Old" }, expectedRevision: $r) { revision } }',
      { b: board.boardId, r: revision - 1 },
    );
    expect(codes(stale.body)).toEqual(['REVISION.MISMATCH']);
    const current = await gql(
      board.owner,
      'mutation($b: ID!, $r: Int) { updateBoard(boardId: $b, input: { name: "Relaunch" }, expectedRevision: $r) { revision board { name } } }',
      { b: board.boardId, r: revision },
    );
    expect(current.body.data.updateBoard).toEqual({ revision: revision + 1, board: { name: 'Relaunch' } });
  });

  it('replays a mutation sent again with the same Idempotency-Key, and releases a key after a refusal', async () => {
    const create = 'mutation($b: ID!) { createTask(boardId: $b, input: { title: "Once" }) { revision task { id } } }';
    const headers = { 'Idempotency-Key': `gql-${board.boardId}` };
    const first = await gql(board.editor, create, { b: board.boardId }, headers);
    const again = await gql(board.editor, create, { b: board.boardId }, headers);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const refusedKey = { 'Idempotency-Key': `gql-refused-${board.boardId}` };
    const refused = await gql(
      board.editor,
      'mutation($b: ID!) { createTask(boardId: $b, input: { title: "" }) { task { id } } }',
      { b: board.boardId },
      refusedKey,
    );
    expect(codes(refused.body)).toEqual(['VALIDATION.FAILED']);
    const retried = await gql(
      board.editor,
      'mutation($b: ID!) { createTask(boardId: $b, input: { title: "" }) { task { id } } }',
      { b: board.boardId },
      refusedKey,
    );
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('gives two creations in one document two ids under one Idempotency-Key', async () => {
    const response = await gql(
      board.editor,
      'mutation($b: ID!) { a: createTask(boardId: $b, input: { title: "A" }) { task { id } } b: createTask(boardId: $b, input: { title: "B" }) { task { id } } }',
      { b: board.boardId },
      { 'Idempotency-Key': `two-${board.boardId}` },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.a.task.id).not.toBe(response.body.data.b.task.id);
  });
  it('maps columns, members and comments onto their commands, with the REST refusals', async () => {
    const owner = board.owner;
    const added = await gql(
      owner,
      'mutation($b: ID!) { addColumn(boardId: $b, input: { name: "QA", wipLimit: 3 }) { revision column { id name wipLimit } } }',
      { b: board.boardId },
    );
    const column = added.body.data.addColumn.column;
    expect(column).toMatchObject({ name: 'QA', wipLimit: 3 });
    const renamed = await gql(
      owner,
      'mutation($b: ID!, $c: ID!) { updateColumn(boardId: $b, columnId: $c, input: { name: "Review" }) { column { name } } }',
      { b: board.boardId, c: column.id },
    );
    expect(renamed.body.data.updateColumn.column.name).toBe('Review');
    const removed = await gql(
      owner,
      'mutation($b: ID!, $c: ID!) { removeColumn(boardId: $b, columnId: $c) { revision } }',
      { b: board.boardId, c: column.id },
    );
    expect(removed.body.data.removeColumn.revision).toBe(await storeRevision(api, board.boardId));

    const newcomer = await api.addUser('Nia');
    const member = await gql(
      owner,
      'mutation($b: ID!, $e: String) { addMember(boardId: $b, email: $e, role: "viewer") { member { name role } } }',
      { b: board.boardId, e: newcomer.email },
    );
    expect(member.body.data.addMember.member).toEqual({ name: 'Nia', role: 'viewer' });
    const unknown = await gql(
      owner,
      'mutation($b: ID!) { addMember(boardId: $b, email: "nobody@example.test", role: "viewer") { member { name } } }',
      { b: board.boardId },
    );
    expect(codes(unknown.body)).toEqual(['USER.NOT_FOUND']);
    const promoted = await gql(
      owner,
      'mutation($b: ID!, $u: ID!) { changeMemberRole(boardId: $b, userId: $u, role: "editor") { member { role } } }',
      { b: board.boardId, u: newcomer.id },
    );
    expect(promoted.body.data.changeMemberRole.member.role).toBe('editor');
    const byEditor = await gql(
      board.editor,
      'mutation($b: ID!, $u: ID!) { removeMember(boardId: $b, userId: $u) { revision } }',
      { b: board.boardId, u: newcomer.id },
    );
    expect(codes(byEditor.body)).toEqual(['AUTH.FORBIDDEN']);
    const gone = await gql(owner, 'mutation($b: ID!, $u: ID!) { removeMember(boardId: $b, userId: $u) { revision } }', {
      b: board.boardId,
      u: newcomer.id,
    });
    expect(gone.body.errors).toBeUndefined();

    const task = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: 'Talk' },
    });
    const comment = await gql(
      board.editor,
      'mutation($t: ID!) { addComment(taskId: $t, body: "First") { comment { id body } } }',
      { t: task.body.id },
    );
    const commentId = comment.body.data.addComment.comment.id as string;
    const notAuthor = await gql(
      board.viewer,
      'mutation($t: ID!, $c: ID!) { editComment(taskId: $t, commentId: $c, body: "Mine now") { comment { body } } }',
      { t: task.body.id, c: commentId },
    );
    expect(codes(notAuthor.body)).toEqual(['AUTH.FORBIDDEN']);
    const edited = await gql(
      board.editor,
      'mutation($t: ID!, $c: ID!) { editComment(taskId: $t, commentId: $c, body: "Second") { comment { body editedAt } } }',
      { t: task.body.id, c: commentId },
    );
    expect(edited.body.data.editComment.comment).toEqual({ body: 'Second', editedAt: expect.any(String) });
    const deleted = await gql(
      board.owner,
      'mutation($t: ID!, $c: ID!) { deleteComment(taskId: $t, commentId: $c) { revision } }',
      { t: task.body.id, c: commentId },
    );
    expect(deleted.body.errors).toBeUndefined();
  });
});
