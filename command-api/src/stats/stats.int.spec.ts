/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { boardStreamId } from '@primetrade/domain';
import { toEnvelope } from '@primetrade/platform';
import { statsFromEvents } from '@primetrade/projector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  type BoardApiHarness,
  type BoardFixture,
} from '../boards/boardApi.testkit.js';

let api: BoardApiHarness;
let board: BoardFixture;
const hour = 3_600_000;

const stats = (as: string, boardId = board.boardId) => api.request('GET', `/boards/${boardId}/stats`, { as });
const flow = (query: string, as = board.viewer) =>
  api.request('GET', `/boards/${board.boardId}/stats/flow${query}`, { as });
const reference = async () =>
  statsFromEvents((await api.store.readStream(boardStreamId(board.boardId))).map(toEnvelope), api.app.clock.now());
const inHours = (hours: number) => new Date(api.app.clock.now().getTime() + hours * hour).toISOString();

beforeAll(async () => {
  api = await createBoardApiHarness({ accessTtlSeconds: 365 * 24 * 3600 });
  board = await createBoardFixture(api);
});
afterAll(async () => api.close());

describe('Board statistics', () => {
  it('answer an empty board with zeros, empty lists and no percentiles', async () => {
    const response = await stats(board.viewer);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      boardId: board.boardId,
      tasks: { live: 0, open: 0, completed: 0, archived: 0, overdue: 0 },
      byAssignee: [],
      unassigned: 0,
      wipBreaches: [],
      throughput: { last7Days: 0, last30Days: 0, perDay: [] },
      leadTime: { count: 0, p50: null, p85: null, p95: null },
      completions: [],
    });
    expect(response.body.byColumn.map((column: { tasks: number }) => column.tasks)).toEqual([0, 0, 0]);
  });

  it('equal the recomputation from the board’s raw events, and follow every change at once', async () => {
    const [todo, doing, done] = board.columns;
    const create = (body: object) => api.request('POST', `/boards/${board.boardId}/tasks`, { as: board.editor, body });
    const a = (await create({ title: 'A', priority: 'high', assigneeIds: [board.editor], dueDate: inHours(2) })).body
      .id as string;
    const b = (await create({ title: 'B', dueDate: inHours(30) })).body.id as string;
    expect((await stats(board.viewer)).body.tasks.live).toBe(2);
    api.app.clock.advance(5 * hour);
    await api.request('POST', `/tasks/${a}/move`, { as: board.editor, body: { columnId: doing?.id } });
    await api.request('POST', `/tasks/${b}/move`, { as: board.editor, body: { columnId: doing?.id } });
    const limited = await api.request('PATCH', `/boards/${board.boardId}/columns/${doing?.id}`, {
      as: board.owner,
      body: { wipLimit: 1 },
    });
    expect(limited.status).toBe(200);
    api.app.clock.advance(26 * hour);
    await api.request('POST', `/tasks/${a}/move`, { as: board.editor, body: { columnId: done?.id } });
    await api.request('POST', `/tasks/${b}/complete`, { as: board.editor });
    await api.request('POST', `/tasks/${b}/reopen`, { as: board.editor });
    await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.owner,
      body: { title: 'C', columnId: todo?.id },
    });

    const response = await stats(board.viewer);
    expect(response.status).toBe(200);
    expect(response.body).toEqual((await reference()).stats);
    expect(response.body.tasks).toMatchObject({ live: 3, completed: 1, overdue: 1 });
    expect(response.body.wipBreaches).toEqual([
      expect.objectContaining({
        columnId: doing?.id,
        endedAt: expect.any(String),
        wipLimit: 1,
        peakTasks: 2,
        durationMs: 26 * hour,
      }),
    ]);
    expect(response.body.completions).toEqual([
      expect.objectContaining({ taskId: a, leadTimeMs: 31 * hour, cycleTimeMs: 26 * hour }),
    ]);
  });

  it('take the clock into account within a minute at most', async () => {
    const before = (await stats(board.viewer)).body;
    api.app.clock.advance(61_000);
    const after = (await stats(board.viewer)).body;
    expect(after.revision).toBe(before.revision);
    expect(Date.parse(after.asOf) - Date.parse(before.asOf)).toBe(61_000);
    expect(after).toEqual((await reference()).stats);
  });

  it('are for members only: 404 to a non-member, 401 without a token', async () => {
    expect((await stats(board.stranger)).status).toBe(404);
    expect((await flow('', board.stranger)).status).toBe(404);
    expect((await api.request('GET', `/boards/${board.boardId}/stats`)).status).toBe(401);
    expect((await api.request('GET', `/boards/${board.boardId}/stats/flow`)).status).toBe(401);
    expect((await api.request('GET', '/me/stats')).status).toBe(401);
    expect((await stats(board.owner, crypto.randomUUID())).status).toBe(404);
  });
});

describe('Cumulative flow', () => {
  it('gives each column’s count at the end of every day, 30 days to today by default', async () => {
    const response = await flow('');
    expect(response.status).toBe(200);
    const today = api.app.clock.now().toISOString().slice(0, 10);
    expect(response.body.days).toHaveLength(30);
    expect(response.body.to).toBe(today);
    expect(response.body).toEqual((await reference()).flow(response.body.days));
    const last = response.body.columns.map((column: { tasks: number[] }) => column.tasks.at(-1));
    expect(last).toEqual((await stats(board.viewer)).body.byColumn.map((column: { tasks: number }) => column.tasks));
  });

  it('takes a range of days', async () => {
    const response = await flow('?from=2025-12-31&to=2026-01-02');
    expect(response.status).toBe(200);
    expect(response.body.days).toEqual(['2025-12-31', '2026-01-01', '2026-01-02']);
    expect(response.body).toEqual((await reference()).flow(response.body.days));
  });

  it('clamps a day after today in UTC (a person east of UTC asking for their today) to today', async () => {
    const today = api.app.clock.now().toISOString().slice(0, 10);
    const tomorrow = new Date(api.app.clock.now().getTime() + 86_400_000).toISOString().slice(0, 10);
    for (const to of [tomorrow, '2099-01-01']) {
      const response = await flow(`?to=${to}`);
      expect(response.status).toBe(200);
      expect(response.body.to).toBe(today);
      expect(response.body.days).toHaveLength(30);
      expect(response.body).toEqual((await flow('')).body);
    }
    const fromToday = await flow(`?from=${today}&to=${tomorrow}`);
    expect(fromToday.body.days).toEqual([today]);
  });

  it.each([
    ['?from=2026-13-01', 'query.from'],
    ['?from=yesterday', 'query.from'],
    ['?to=2026-01-01T00:00:00Z', 'query.to'],
    ['?from=2026-01-02&to=2026-01-01', 'query.from'],
    ['?from=2024-01-01&to=2025-01-01', 'query.to'],
    ['?from=2099-01-01', 'query.from'],
  ])('refuses %s with 400 naming %s', async (query, field) => {
    const response = await flow(query);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('VALIDATION.FAILED');
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('refuses a board id that is not one', async () => {
    const response = await api.request('GET', '/boards/nope/stats', { as: board.viewer });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('params.boardId');
  });
});

describe('My statistics', () => {
  it('count my tasks across my boards by status, overdue and due soon', async () => {
    const other = (await api.request('POST', '/boards', { as: board.editor, body: { name: 'Side' } })).body.board
      .id as string;
    const mine = (body: object) =>
      api.request('POST', `/boards/${other}/tasks`, {
        as: board.editor,
        body: { assigneeIds: [board.editor], ...body },
      });
    await mine({ title: 'Soon', dueDate: inHours(3) });
    await mine({ title: 'This week', dueDate: inHours(72), priority: 'urgent' });
    await mine({ title: 'Late', dueDate: inHours(-1) });
    await api.request('POST', `/boards/${other}/tasks`, {
      as: board.editor,
      body: { title: 'Not mine', dueDate: inHours(1) },
    });
    const response = await api.request('GET', '/me/stats', { as: board.editor });
    expect(response.status).toBe(200);
    const onFirstBoard = (await reference()).myStats(board.editor);
    expect(response.body).toMatchObject({
      total: onFirstBoard.total + 3,
      byStatus: { open: onFirstBoard.byStatus.open + 3, completed: onFirstBoard.byStatus.completed },
      overdue: onFirstBoard.overdue + 1,
      dueWithin24Hours: onFirstBoard.dueWithin24Hours + 1,
      dueWithin7Days: onFirstBoard.dueWithin7Days + 2,
    });
    expect(response.body.byPriority.urgent).toBe(onFirstBoard.byPriority.urgent + 1);
    expect((await api.request('GET', '/me/stats', { as: board.stranger })).body).toMatchObject({
      total: 0,
      overdue: 0,
    });
  });
});

describe('The OpenAPI document', () => {
  it('describes the statistics endpoints with their response schemas', async () => {
    const response = await api.request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    const paths = response.body.paths;
    expect(
      paths['/api/v1/boards/{boardId}/stats'].get.responses['200'].content['application/json'].schema,
    ).toBeDefined();
    expect(
      paths['/api/v1/boards/{boardId}/stats/flow'].get.parameters.map((parameter: { name: string }) => parameter.name),
    ).toEqual(expect.arrayContaining(['boardId', 'from', 'to']));
    expect(paths['/api/v1/me/stats'].get.tags).toEqual(['statistics']);
  });
});
