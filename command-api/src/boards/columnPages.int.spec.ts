/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON (`Json`); the assertions check their shape */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBoardApiHarness,
  createBoardFixture,
  type BoardApiHarness,
  type BoardFixture,
  type Json,
} from './boardApi.testkit.js';

/** Column pages of big boards (docs/adr/0023-big-boards-column-pages.md). */
let api: BoardApiHarness;
let board: BoardFixture;
let todo: string;
let doing: string;
const created: { id: string; columnId: string }[] = [];

beforeAll(async () => {
  api = await createBoardApiHarness();
  board = await createBoardFixture(api);
  [todo, doing] = board.columns.map((column) => column.id) as [string, string];
  // 130 tasks in "To do", 7 in "In progress", none in "Done"; each one at the end of its column.
  for (let index = 0; index < 137; index++) {
    const columnId = index < 130 ? todo : doing;
    const response = await api.request('POST', `/boards/${board.boardId}/tasks`, {
      as: board.editor,
      body: { title: `Task ${index}`, columnId },
    });
    if (response.status !== 201) throw new Error(JSON.stringify(response.body));
    created.push({ id: response.body.id, columnId });
  }
}, 120_000);
afterAll(async () => api.close());

const ids = (tasks: Json[]): string[] => tasks.map((task: Json) => String(task.id));

/** Every page of a column from the view's cursor, in order. */
async function readColumn(columnId: string, cursor: string | null, limit: number, as = board.viewer) {
  const seen: string[] = [];
  let pages = 0;
  for (let next = cursor; next !== null; pages++) {
    const response = await api.request(
      'GET',
      `/boards/${board.boardId}/columns/${columnId}/tasks?limit=${limit}&cursor=${next}`,
      { as },
    );
    expect(response.status).toBe(200);
    expect(response.body.items.length).toBeLessThanOrEqual(limit);
    expect(response.headers.get('etag')).toBe(`W/"${response.body.revision}"`);
    seen.push(...ids(response.body.items));
    next = response.body.nextCursor;
  }
  return { seen, pages };
}

describe('Board API: column pages', () => {
  describe('when the board is read without tasksPerColumn', () => {
    it('answers every task, as before, and no columnPages', async () => {
      const response = await api.request('GET', `/boards/${board.boardId}`, { as: board.viewer });
      expect(response.status).toBe(200);
      expect(response.body.tasks).toHaveLength(137);
      expect(response.body.columnPages).toBeUndefined();
    });
  });

  describe('when the board is read with tasksPerColumn', () => {
    it("answers each column's first tasks by position, its true count and a cursor when there is more", async () => {
      const response = await api.request('GET', `/boards/${board.boardId}?tasksPerColumn=50`, { as: board.viewer });
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe(`W/"${response.body.revision}"`);
      const whole = await api.request('GET', `/boards/${board.boardId}`, { as: board.viewer });
      const firstOf = (columnId: string, count: number) =>
        ids(whole.body.tasks.filter((task: Json) => task.columnId === columnId).slice(0, count));
      expect(ids(response.body.tasks)).toEqual([...firstOf(todo, 50), ...firstOf(doing, 50)]);
      expect(response.body.columnPages.map((page: Json) => [page.columnId, page.taskCount])).toEqual([
        [todo, 130],
        [doing, 7],
        [board.columns[2]?.id, 0],
      ]);
      expect(response.body.columnPages[0].nextCursor).toEqual(expect.any(String));
      expect(response.body.columnPages[1].nextCursor).toBeNull();
      expect(response.body.columnPages[2].nextCursor).toBeNull();
      expect(response.body.columns).toEqual(whole.body.columns);
      expect(response.body.members).toEqual(whole.body.members);
    });

    it('refuses a size outside 1..500 with 400', async () => {
      for (const size of ['0', '501', 'many']) {
        const response = await api.request('GET', `/boards/${board.boardId}?tasksPerColumn=${size}`, {
          as: board.viewer,
        });
        expect(response.status).toBe(400);
      }
    });
  });

  describe('when a column is paged through from the view', () => {
    it('returns every non-archived task of the column once, in position order', async () => {
      const view = await api.request('GET', `/boards/${board.boardId}?tasksPerColumn=50`, { as: board.viewer });
      const first = ids(view.body.tasks.filter((task: Json) => task.columnId === todo));
      const { seen, pages } = await readColumn(todo, view.body.columnPages[0].nextCursor, 33);
      const whole = await api.request('GET', `/boards/${board.boardId}`, { as: board.viewer });
      const expected = ids(whole.body.tasks.filter((task: Json) => task.columnId === todo && !task.archived));
      expect([...first, ...seen]).toEqual(expected);
      expect(new Set([...first, ...seen]).size).toBe(130);
      expect(pages).toBe(3); // 80 after the first page: 33 + 33 + 14
    });

    it('leaves out archived tasks and counts only the others', async () => {
      const archived = created[3]?.id ?? '';
      expect((await api.request('POST', `/tasks/${archived}/archive`, { as: board.editor })).status).toBe(200);
      const view = await api.request('GET', `/boards/${board.boardId}?tasksPerColumn=50`, { as: board.viewer });
      expect(view.body.columnPages[0].taskCount).toBe(129);
      const first = ids(view.body.tasks);
      const { seen } = await readColumn(todo, view.body.columnPages[0].nextCursor, 100);
      expect(first).not.toContain(archived);
      expect(seen).not.toContain(archived);
      expect(first.filter((id) => created.some((task) => task.id === id && task.columnId === todo)).length).toBe(50);
      expect(seen).toHaveLength(79);
      expect((await api.request('POST', `/tasks/${archived}/restore`, { as: board.editor })).status).toBe(200);
    });

    it('follows a move: the moved task leaves its column and appears in the other one', async () => {
      const moved = created[0]?.id ?? '';
      const response = await api.request('POST', `/tasks/${moved}/move`, {
        as: board.editor,
        body: { columnId: doing },
      });
      expect(response.status).toBe(200);
      const view = await api.request('GET', `/boards/${board.boardId}?tasksPerColumn=50`, { as: board.viewer });
      expect(view.body.columnPages.slice(0, 2).map((page: Json): number => page.taskCount)).toEqual([129, 8]);
      const todoTasks = [...ids(view.body.tasks.filter((task: Json) => task.columnId === todo))];
      todoTasks.push(...(await readColumn(todo, view.body.columnPages[0].nextCursor, 100)).seen);
      expect(todoTasks).toHaveLength(129);
      expect(todoTasks).not.toContain(moved);
      expect(ids(view.body.tasks.filter((task: Json) => task.columnId === doing)).at(-1)).toBe(moved);
    });
  });

  describe('when the request is not allowed or not valid', () => {
    it('answers 404 to a non-member, as the board view does', async () => {
      const response = await api.request('GET', `/boards/${board.boardId}/columns/${todo}/tasks`, {
        as: board.stranger,
      });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('BOARD.NOT_FOUND');
    });

    it('answers 404 COLUMN.NOT_FOUND for a column of no board of mine', async () => {
      const response = await api.request('GET', `/boards/${board.boardId}/columns/${randomUUID()}/tasks`, {
        as: board.viewer,
      });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('COLUMN.NOT_FOUND');
    });

    it('answers 400 to a forged cursor and to a limit outside 1..500', async () => {
      for (const query of ['cursor=not-a-cursor', 'cursor=WzEsMl0', 'limit=0', 'limit=501']) {
        const response = await api.request('GET', `/boards/${board.boardId}/columns/${todo}/tasks?${query}`, {
          as: board.viewer,
        });
        expect(response.status).toBe(400);
      }
    });

    it('answers the first page without a cursor, 100 by default', async () => {
      const response = await api.request('GET', `/boards/${board.boardId}/columns/${todo}/tasks`, {
        as: board.viewer,
      });
      expect(response.status).toBe(200);
      expect(response.body.items).toHaveLength(100);
      expect(response.body.nextCursor).toEqual(expect.any(String));
    });
  });
});
