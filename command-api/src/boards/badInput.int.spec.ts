/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
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
let taskId: string;
let commentId: string;

beforeAll(async () => {
  api = await createBoardApiHarness();
  board = await createBoardFixture(api);
  taskId = (await api.request('POST', `/boards/${board.boardId}/tasks`, { as: board.owner, body: { title: 'Target' } }))
    .body.id;
  commentId = (await api.request('POST', `/tasks/${taskId}/comments`, { as: board.owner, body: { body: 'Hi' } })).body
    .id;
});
afterAll(async () => api.close());

interface BadCase {
  readonly name: string;
  readonly method: string;
  readonly path: () => string;
  readonly body?: unknown;
  /** The field the problem must name. */
  readonly field: string;
}

const long = (n: number) => 'x'.repeat(n + 1);
const b = () => `/boards/${board.boardId}`;
const t = () => `/tasks/${taskId}`;

/** At least one bad request per endpoint; each must be a 400 naming the field and change nothing. */
const cases: BadCase[] = [
  {
    name: 'create board: name too long',
    method: 'POST',
    path: () => '/boards',
    body: { name: long(100) },
    field: 'body.name',
  },
  {
    name: 'create board: unknown field',
    method: 'POST',
    path: () => '/boards',
    body: { name: 'x', owner: 'me' },
    field: 'body',
  },
  {
    name: 'create board: empty columns',
    method: 'POST',
    path: () => '/boards',
    body: { name: 'x', columns: [] },
    field: 'body.columns',
  },
  { name: 'list boards: limit 0', method: 'GET', path: () => '/boards?limit=0', field: 'query.limit' },
  { name: 'list boards: limit 101', method: 'GET', path: () => '/boards?limit=101', field: 'query.limit' },
  { name: 'get board: not a uuid', method: 'GET', path: () => '/boards/42', field: 'params.boardId' },
  { name: 'patch board: nothing to change', method: 'PATCH', path: b, body: {}, field: 'body' },
  { name: 'patch board: blank name', method: 'PATCH', path: b, body: { name: '   ' }, field: 'body.name' },
  {
    name: 'patch board: description too long',
    method: 'PATCH',
    path: b,
    body: { description: long(10_000) },
    field: 'body.description',
  },
  { name: 'archive board: not a uuid', method: 'DELETE', path: () => '/boards/nope', field: 'params.boardId' },
  { name: 'restore board: not a uuid', method: 'POST', path: () => '/boards/nope/restore', field: 'params.boardId' },
  {
    name: 'add member: bad role',
    method: 'POST',
    path: () => `${b()}/members`,
    body: { userId: randomUUID(), role: 'king' },
    field: 'body.role',
  },
  {
    name: 'add member: email and userId',
    method: 'POST',
    path: () => `${b()}/members`,
    body: { userId: randomUUID(), email: 'a@b.cd', role: 'viewer' },
    field: 'body.email',
  },
  {
    name: 'add member: bad email',
    method: 'POST',
    path: () => `${b()}/members`,
    body: { email: 'not-an-email', role: 'viewer' },
    field: 'body.email',
  },
  {
    name: 'change role: missing role',
    method: 'PATCH',
    path: () => `${b()}/members/${board.viewer}`,
    body: {},
    field: 'body.role',
  },
  { name: 'remove member: not a uuid', method: 'DELETE', path: () => `${b()}/members/bob`, field: 'params.userId' },
  {
    name: 'add column: wip 0',
    method: 'POST',
    path: () => `${b()}/columns`,
    body: { name: 'x', wipLimit: 0 },
    field: 'body.wipLimit',
  },
  {
    name: 'add column: both anchors',
    method: 'POST',
    path: () => `${b()}/columns`,
    body: { name: 'x', beforeColumnId: randomUUID(), afterColumnId: randomUUID() },
    field: 'body.afterColumnId',
  },
  {
    name: 'patch column: nothing',
    method: 'PATCH',
    path: () => `${b()}/columns/${board.columns[0]?.id}`,
    body: {},
    field: 'body',
  },
  {
    name: 'patch column: name too long',
    method: 'PATCH',
    path: () => `${b()}/columns/${board.columns[0]?.id}`,
    body: { name: long(100) },
    field: 'body.name',
  },
  { name: 'remove column: not a uuid', method: 'DELETE', path: () => `${b()}/columns/first`, field: 'params.columnId' },
  {
    name: 'create task: title too long',
    method: 'POST',
    path: () => `${b()}/tasks`,
    body: { title: long(200) },
    field: 'body.title',
  },
  {
    name: 'create task: bad due date',
    method: 'POST',
    path: () => `${b()}/tasks`,
    body: { title: 'x', dueDate: 'tomorrow' },
    field: 'body.dueDate',
  },
  // Instants PostgreSQL cannot store must never reach the event store (they would stall the read models).
  {
    name: 'create task: due date in year 0',
    method: 'POST',
    path: () => `${b()}/tasks`,
    body: { title: 'x', dueDate: '0000-01-01T00:00:00Z' },
    field: 'body.dueDate',
  },
  {
    name: 'create task: due date offset +23:59',
    method: 'POST',
    path: () => `${b()}/tasks`,
    body: { title: 'x', dueDate: '2026-01-01T00:00:00+23:59' },
    field: 'body.dueDate',
  },
  {
    name: 'create task: due date before year 1 in UTC',
    method: 'POST',
    path: () => `${b()}/tasks`,
    body: { title: 'x', dueDate: '0001-01-01T00:00:00+14:00' },
    field: 'body.dueDate',
  },
  {
    name: 'create task: NUL in the title',
    method: 'POST',
    path: () => `${b()}/tasks`,
    body: { title: 'a\u0000b' },
    field: 'body.title',
  },
  {
    name: 'rename board: NUL in the name',
    method: 'PATCH',
    path: () => b(),
    body: { name: '\u0000' },
    field: 'body.name',
  },
  { name: 'search tasks: NUL in q', method: 'GET', path: () => '/tasks?q=a%00b', field: 'query.q' },
  {
    name: 'search tasks: dueBefore in year 0',
    method: 'GET',
    path: () => '/tasks?dueBefore=0000-01-01T00:00:00Z',
    field: 'query.dueBefore',
  },
  {
    name: 'list boards: cursor far before year 1',
    method: 'GET',
    path: () =>
      `/boards?cursor=${Buffer.from(JSON.stringify(['-999999999999999999', randomUUID()])).toString('base64url')}`,
    field: 'query.cursor',
  },
  {
    name: 'create task: label too long',
    method: 'POST',
    path: () => `${b()}/tasks`,
    body: { title: 'x', labels: [long(40)] },
    field: 'body.labels.0',
  },
  { name: 'search board tasks: bad sort', method: 'GET', path: () => `${b()}/tasks?sort=random`, field: 'query.sort' },
  {
    name: 'search board tasks: bad status',
    method: 'GET',
    path: () => `${b()}/tasks?status=done`,
    field: 'query.status',
  },
  { name: 'search tasks: bad dueBefore', method: 'GET', path: () => '/tasks?dueBefore=soon', field: 'query.dueBefore' },
  { name: 'search tasks: bad assignee', method: 'GET', path: () => '/tasks?assigneeId=you', field: 'query.assigneeId' },
  { name: 'get task: not a uuid', method: 'GET', path: () => '/tasks/7', field: 'params.taskId' },
  { name: 'patch task: bad priority', method: 'PATCH', path: t, body: { priority: 'asap' }, field: 'body.priority' },
  { name: 'patch task: unknown field', method: 'PATCH', path: t, body: { status: 'completed' }, field: 'body' },
  { name: 'delete task: not a uuid', method: 'DELETE', path: () => '/tasks/7', field: 'params.taskId' },
  { name: 'move task: no column', method: 'POST', path: () => `${t()}/move`, body: {}, field: 'body.columnId' },
  { name: 'complete task: not a uuid', method: 'POST', path: () => '/tasks/7/complete', field: 'params.taskId' },
  { name: 'reopen task: not a uuid', method: 'POST', path: () => '/tasks/7/reopen', field: 'params.taskId' },
  { name: 'archive task: not a uuid', method: 'POST', path: () => '/tasks/7/archive', field: 'params.taskId' },
  { name: 'restore task: not a uuid', method: 'POST', path: () => '/tasks/7/restore', field: 'params.taskId' },
  { name: 'list comments: not a uuid', method: 'GET', path: () => '/tasks/7/comments', field: 'params.taskId' },
  {
    name: 'add comment: too long',
    method: 'POST',
    path: () => `${t()}/comments`,
    body: { body: long(5_000) },
    field: 'body.body',
  },
  {
    name: 'edit comment: blank',
    method: 'PATCH',
    path: () => `${t()}/comments/${commentId}`,
    body: { body: ' ' },
    field: 'body.body',
  },
  {
    name: 'delete comment: not a uuid',
    method: 'DELETE',
    path: () => `${t()}/comments/first`,
    field: 'params.commentId',
  },
  { name: 'events: after -2', method: 'GET', path: () => `${b()}/events?after=-2`, field: 'query.after' },
  { name: 'events: limit 1001', method: 'GET', path: () => `${b()}/events?limit=1001`, field: 'query.limit' },
];

describe('Board API: bad input', () => {
  describe.each(cases)('$name', (badCase) => {
    it('answers 400 problem+json naming the field and changes nothing', async () => {
      const before = await storeRevision(api, board.boardId);
      const response = await api.request(badCase.method, badCase.path(), { as: board.owner, body: badCase.body });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.code).toBe('VALIDATION.FAILED');
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(badCase.field);
      expect(await storeRevision(api, board.boardId)).toBe(before);
    });
  });

  it('answers 400 to a body that is not JSON, changing nothing', async () => {
    const before = await storeRevision(api, board.boardId);
    const response = await api.request('POST', `/boards/${board.boardId}/tasks`, { as: board.owner, raw: '{"title":' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION.FAILED');
    expect(await storeRevision(api, board.boardId)).toBe(before);
  });

  /** Random wrong values for a field: wrong types, blanks, oversize strings, bad ids and dates. */
  const wrongValue = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(''),
    fc.constant('   '),
    fc.string({ minLength: 10_001, maxLength: 10_050 }),
    fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
    fc.object({ maxDepth: 1 }),
    fc.constant('not-a-uuid'),
    fc.constant('2026-13-45'),
  );
  const taskFields = [
    'title',
    'description',
    'columnId',
    'priority',
    'dueDate',
    'assigneeIds',
    'labels',
    'beforeTaskId',
  ] as const;
  const patchFields = ['title', 'description', 'priority', 'dueDate', 'assigneeIds', 'labels'] as const;
  /** Values a field may legitimately take are filtered out (a title or description is any fitting string). */
  const isWrong = (field: string, value: unknown) =>
    !(field === 'description' && typeof value === 'string' && value.length <= 10_000) &&
    !(field === 'title' && typeof value === 'string' && value.trim().length > 0 && value.trim().length <= 200) &&
    !(field === 'dueDate' && value === null);

  it('refuses random bad task creations with 400 and no new revision (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...taskFields, 'unknownField'), wrongValue, async (field, value) => {
        fc.pre(isWrong(field, value));
        const before = await storeRevision(api, board.boardId);
        const body = { title: 'Valid title', [field]: value };
        const response = await api.request('POST', `/boards/${board.boardId}/tasks`, { as: board.editor, body });
        expect(response.status).toBe(400);
        expect(response.body.errors.some((error: { field: string }) => error.field.startsWith('body'))).toBe(true);
        expect(await storeRevision(api, board.boardId)).toBe(before);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses random bad task PATCHes with 400 and no new revision (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...patchFields, 'columnId'), wrongValue, async (field, value) => {
        fc.pre(isWrong(field, value));
        const before = await storeRevision(api, board.boardId);
        const response = await api.request('PATCH', `/tasks/${taskId}`, { as: board.editor, body: { [field]: value } });
        expect(response.status).toBe(400);
        expect(response.body.errors.some((error: { field: string }) => error.field.startsWith('body'))).toBe(true);
        expect(await storeRevision(api, board.boardId)).toBe(before);
      }),
      { numRuns: 60 },
    );
  });
});
