/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON (`Json`); the assertions check their shape */
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
let taskId: string;
let head: number;

const h = () => `/boards/${board.boardId}`;

beforeAll(async () => {
  api = await createBoardApiHarness();
  board = await createBoardFixture(api);
  taskId = (await api.request('POST', `${h()}/tasks`, { as: board.owner, body: { title: 'Target' } })).body.id;
  await api.request('PATCH', `/tasks/${taskId}`, { as: board.editor, body: { title: 'Renamed' } });
  const done = board.columns.find((column) => column.isDone);
  await api.request('POST', `/tasks/${taskId}/move`, { as: board.owner, body: { columnId: done?.id } });
  await api.request('POST', `/tasks/${taskId}/comments`, { as: board.editor, body: { body: '=SUM(A1) and "quotes"' } });
  head = await storeRevision(api, board.boardId);
});
afterAll(async () => api.close());

async function everything(query = ''): Promise<Json[]> {
  const entries: Json[] = [];
  let before: number | null = null;
  for (let page = 0; page < 100; page += 1) {
    const response = await api.request(
      'GET',
      `${h()}/history?limit=2${query}${before === null ? '' : `&before=${before}`}`,
      { as: board.viewer },
    );
    expect(response.status).toBe(200);
    entries.push(...response.body.entries);
    before = response.body.nextBefore;
    if (before === null) return entries;
  }
  throw new Error('history pages never ended');
}

describe('Audit history', () => {
  it('lists every event, newest first, with who, when and the field-level change', async () => {
    const response = await api.request('GET', `${h()}/history?limit=500`, { as: board.viewer });
    expect(response.status).toBe(200);
    const entries: Json[] = response.body.entries;
    expect(entries.map((entry) => entry.revision)).toEqual(Array.from({ length: head + 1 }, (_, n) => head - n));
    expect(response.body).toMatchObject({ nextBefore: null, revision: head });
    const renamed = entries.find((entry) => entry.type === 'TaskTitleChanged');
    expect(renamed).toMatchObject({
      actorId: board.editor,
      taskId,
      changes: [{ field: 'title', from: 'Target', to: 'Renamed' }],
    });
    expect(renamed.summary).toContain('Renamed');
    expect(entries.every((entry) => typeof entry.occurredAt === 'string' && entry.summary.length > 0)).toBe(true);
  });

  it('pages with nextBefore and filters by task, person and time', async () => {
    const all = await everything();
    expect(all).toHaveLength(head + 1);
    const byTask = await everything(`&taskId=${taskId}`);
    expect(byTask.length).toBeGreaterThanOrEqual(4);
    expect(byTask.every((entry) => entry.taskId === taskId)).toBe(true);
    const byEditor = await everything(`&actorId=${board.editor}`);
    expect(byEditor.map((entry) => entry.type).sort()).toEqual(['CommentAdded', 'TaskTitleChanged']);
    const firstAt = all.at(-1).occurredAt as string;
    const lastAt = all[0].occurredAt as string;
    expect(await everything(`&to=${encodeURIComponent(lastAt)}`)).toHaveLength(all.length);
    expect(await everything(`&from=${encodeURIComponent(firstAt)}&to=${encodeURIComponent(lastAt)}`)).toHaveLength(
      all.length,
    );
    expect(await everything('&to=2000-01-01T00:00:00Z')).toEqual([]);
    expect(await everything('&from=2999-01-01T00:00:00Z')).toEqual([]);
  });

  it('gives one task’s history at /tasks/:taskId/history, the same as the board history filtered by task', async () => {
    const byRoute = await api.request('GET', `/tasks/${taskId}/history?limit=500`, { as: board.viewer });
    expect(byRoute.status).toBe(200);
    const byFilter = await api.request('GET', `${h()}/history?limit=500&taskId=${taskId}`, { as: board.viewer });
    expect(byRoute.body.entries).toEqual(byFilter.body.entries);
    expect(byRoute.body.entries.map((entry: Json) => entry.type)).toContain('TaskCreated');
    expect((await api.request('GET', `/tasks/${taskId}/history`, { as: board.stranger })).status).toBe(404);
  });

  it('exports the whole history as JSON and as CSV that a spreadsheet cannot run', async () => {
    const json = await api.request('GET', `${h()}/history/export`, { as: board.viewer });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toContain('attachment');
    expect(json.body.map((entry: Json) => entry.revision)).toEqual(Array.from({ length: head + 1 }, (_, n) => n));
    const csv = await api.request('GET', `${h()}/history/export?format=csv`, { as: board.viewer });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = String(csv.body);
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('revision,occurredAt,actorId,type,taskId,summary,field,from,to');
    expect(lines.some((line) => line.includes('"title","Target","Renamed"'))).toBe(true);
    // A comment starting with "=" is exported as text, quotes doubled.
    expect(text).toContain(`"'=SUM(A1) and ""quotes"""`);
    expect(text).not.toMatch(/,"=SUM/);
    // docs/api.md's path answers the same download.
    expect(String((await api.request('GET', `${h()}/export?format=csv`, { as: board.viewer })).body)).toBe(text);
  });
});

describe('Time travel', () => {
  it('shows the board as it was at a revision and at an instant', async () => {
    const all = (await api.request('GET', `${h()}/history/export`, { as: board.viewer })).body as Json[];
    const created = all.find((entry) => entry.type === 'TaskCreated');
    const then = await api.request('GET', `${h()}/at?revision=${created.revision}`, { as: board.viewer });
    expect(then.status).toBe(200);
    expect(then.body.asOf.revision).toBe(created.revision);
    expect(then.body.view.tasks.find((task: Json) => task.id === taskId)?.title).toBe('Target');
    const now = await api.request('GET', `${h()}/at?revision=${head}`, { as: board.viewer });
    expect(now.body.view.tasks.find((task: Json) => task.id === taskId)?.title).toBe('Renamed');
    const before = await api.request('GET', `${h()}/at?revision=${created.revision - 1}`, { as: board.viewer });
    expect(before.body.view.tasks.find((task: Json) => task.id === taskId)).toBeUndefined();
    const atInstant = await api.request('GET', `${h()}/at?at=${encodeURIComponent(created.occurredAt)}`, {
      as: board.viewer,
    });
    expect(atInstant.status).toBe(200);
    expect(atInstant.body.asOf.revision).toBeGreaterThanOrEqual(created.revision);
    // `time` is the contract's name for the instant; `at` stays as its alias.
    const atTime = await api.request('GET', `${h()}/at?time=${encodeURIComponent(created.occurredAt)}`, {
      as: board.viewer,
    });
    expect(atTime.status).toBe(200);
    expect(atTime.body).toEqual(atInstant.body);
  });

  it('refuses a revision not reached yet, an instant before the board, and both or neither point', async () => {
    expect((await api.request('GET', `${h()}/at?revision=${head + 1}`, { as: board.viewer })).status).toBe(400);
    expect((await api.request('GET', `${h()}/at?at=2000-01-01T00:00:00Z`, { as: board.viewer })).status).toBe(404);
    expect(
      (await api.request('GET', `${h()}/at?revision=0&at=2030-01-01T00:00:00Z`, { as: board.viewer })).status,
    ).toBe(400);
    expect(
      (await api.request('GET', `${h()}/at?time=2030-01-01T00:00:00Z&at=2030-01-01T00:00:00Z`, { as: board.viewer }))
        .status,
    ).toBe(400);
    expect((await api.request('GET', `${h()}/at?time=yesterday`, { as: board.viewer })).status).toBe(400);
    expect((await api.request('GET', `${h()}/at`, { as: board.viewer })).status).toBe(400);
  });
});

describe('History access and input', () => {
  it('answers 404 to a non-member and 401 without a token, for every history route', async () => {
    for (const path of [`${h()}/history`, `${h()}/history/export`, `${h()}/at?revision=0`]) {
      expect((await api.request('GET', path, { as: board.stranger })).status).toBe(404);
      expect((await api.request('GET', path)).status).toBe(401);
    }
  });

  it('answers 400 naming the field for bad filters', async () => {
    const cases: [string, string][] = [
      ['taskId=nope', 'taskId'],
      ['actorId=1', 'actorId'],
      ['from=yesterday', 'from'],
      ['limit=0', 'limit'],
      ['before=-1', 'before'],
    ];
    for (const [query, field] of cases) {
      const response = await api.request('GET', `${h()}/history?${query}`, { as: board.viewer });
      expect(response.status, query).toBe(400);
      expect(JSON.stringify(response.body.errors), query).toContain(field);
    }
    expect((await api.request('GET', `${h()}/history/export?format=xml`, { as: board.viewer })).status).toBe(400);
  });
});
