import { createSqlEventStore, type Sql } from '@primetrade/platform';
import { appendBigBoard } from '@primetrade/projector';
import type { EmbeddedSystem } from '@primetrade/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Http } from './board.kit.js';
import {
  card,
  column,
  contextFor,
  launchChromium,
  pageErrors,
  screenshot,
  type Account,
  type View,
} from './board.kit.js';
import { startInProcessSystem, type InProcessSystem } from './inProcess.kit.js';

/**
 * A board big enough to be read by column pages (docs/adr/0023-big-boards-column-pages.md), on the
 * real embedded system in this process (PGlite in memory): 3,000 tasks appended to the board's
 * stream in batches (`appendBigBoard`), projected by the system's own relay and projector.
 */
const tasks = 3_000;
let sql: Sql;
let inProcess: InProcessSystem;
let system: EmbeddedSystem;
let browser: Browser;
let http: Http;
let alice: Account;
let view: View;

beforeAll(async () => {
  inProcess = await startInProcessSystem('pages');
  ({ sql, system, http } = inProcess);
  alice = await http.register('Alice Archer');
  browser = await launchChromium();
  const created = await http.call<View>('POST', '/boards', { name: 'Paged board' }, alice.accessToken);
  view = created.body;
  const store = await createSqlEventStore(sql, { pollIntervalMs: 60_000 });
  const revision = await appendBigBoard(store, {
    boardId: view.board.id,
    actorId: alice.user.id,
    columnIds: view.columns.map((item) => item.id),
    revision: view.revision,
    tasks,
  });
  await store.close();
  // The system's relay and projector take the appended events from here.
  for (let waited = 0; ; waited += 250) {
    const read = await http.call<View>(
      'GET',
      `/boards/${view.board.id}?tasksPerColumn=1`,
      undefined,
      alice.accessToken,
    );
    if (read.body.revision === revision) break;
    if (waited > 60_000) throw new Error(`the board was not projected: revision ${read.body.revision} of ${revision}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await inProcess?.close();
});

const title = (index: number) => `Task ${String(index).padStart(5, '0')}`;
const counts = (page: Page) =>
  page.$$eval('[data-testid=column-count]', (items) =>
    items.map((item) => Number(item.textContent?.trim().split(/\s/)[0])),
  );
const listOf = (page: Page, name: string) => column(page, name).locator('.list');

describe('Web client on a board read by column pages', () => {
  it('shows the first screen from the first pages, loads a column as it scrolls and stays live', async () => {
    const context = await contextFor(browser, http, alice);
    const page = await context.newPage();
    const boardReads: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes(`/api/v1/boards/${view.board.id}`)) boardReads.push(request.url());
    });
    await page.goto(`${system.url}/#/boards/${view.board.id}`);
    await expect.poll(() => card(page, title(0)).isVisible(), { timeout: 20_000 }).toBe(true);

    // The first read asks for pages, the counts are the columns' true ones, and few cards are in the page.
    expect(boardReads.some((url) => url.endsWith(`/boards/${view.board.id}?tasksPerColumn=100`))).toBe(true);
    expect(boardReads.some((url) => url.endsWith(`/boards/${view.board.id}`))).toBe(false);
    expect(await counts(page)).toEqual([1000, 1000, 1000]);
    expect(await page.locator('[data-testid=task-card]').count()).toBeLessThan(120);
    await expect.poll(() => column(page, 'To do').getByTestId('column-more').textContent()).toContain('900 more');

    // Scrolling "To do" to its end reads its pages one after another, each task once, in order.
    const list = listOf(page, 'To do');
    const last = title(3 * 999);
    for (let round = 0; round < 40 && !(await card(page, last).isVisible()); round++) {
      await list.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
      await page.waitForTimeout(150);
    }
    await expect.poll(() => card(page, last).isVisible()).toBe(true);
    const pageReads = boardReads.filter((url) => url.includes(`/columns/${view.columns[0]?.id}/tasks`));
    expect(pageReads.length).toBe(9);
    await expect(column(page, 'To do').getByTestId('column-more').count()).resolves.toBe(0);
    const tail = await list.evaluate((element) =>
      [...element.querySelectorAll('[data-testid=task-card] .title')].map((item) => item.textContent?.trim() ?? ''),
    );
    expect(tail.length).toBeGreaterThan(3);
    expect(tail).toEqual([...tail].sort());
    expect(await counts(page)).toEqual([1000, 1000, 1000]);
    await screenshot(page, 'big-board-paged');

    // Live: a task created at the top of a partly loaded column shows; a task nobody loaded yet that
    // moves into view is read on its own; the counts follow.
    const progress = view.columns[1]?.id ?? '';
    const done = view.columns[2]?.id ?? '';
    const firstInProgress = await http.call<{ items: { id: string }[] }>(
      'GET',
      `/boards/${view.board.id}/columns/${progress}/tasks?limit=1`,
      undefined,
      alice.accessToken,
    );
    const fresh = await http.call<{ id: string }>(
      'POST',
      `/boards/${view.board.id}/tasks`,
      { title: 'Fresh card', columnId: progress, beforeTaskId: firstInProgress.body.items[0]?.id },
      alice.accessToken,
    );
    expect(fresh.status).toBe(201);
    await expect.poll(() => card(page, 'Fresh card').isVisible(), { timeout: 10_000 }).toBe(true);
    const deepInDone = await http.call<{ items: { id: string; title: string }[]; nextCursor: string }>(
      'GET',
      `/boards/${view.board.id}/columns/${done}/tasks?limit=500`,
      undefined,
      alice.accessToken,
    );
    const unloaded = deepInDone.body.items.at(-1);
    if (unloaded === undefined) throw new Error('no task in Done');
    expect(await card(page, unloaded.title).count()).toBe(0);
    const moved = await http.call(
      'POST',
      `/tasks/${unloaded.id}/move`,
      { columnId: progress, beforeTaskId: fresh.body.id },
      alice.accessToken,
    );
    expect(moved.status).toBe(200);
    await expect.poll(() => card(page, unloaded.title).isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => counts(page)).toEqual([1000, 1002, 999]);

    // Drag and drop from a partly loaded column into another one, then Ctrl+Z puts it back.
    const dragged = title(1); // "In progress", loaded
    const draggedId = (
      await http.call<{ items: { id: string; title: string }[] }>(
        'GET',
        `/boards/${view.board.id}/columns/${progress}/tasks?limit=5`,
        undefined,
        alice.accessToken,
      )
    ).body.items.find((item) => item.title.startsWith(dragged))?.id;
    await page.dragAndDrop(
      `[data-testid=task-card]:has-text("${dragged}")`,
      `[data-testid=column]:has(h2:text-is("Done")) [role=list]`,
    );
    await expect.poll(() => counts(page)).toEqual([1000, 1001, 1000]);
    const columnOf = async () =>
      (await http.call<{ columnId: string }>('GET', `/tasks/${draggedId}`, undefined, alice.accessToken)).body.columnId;
    await expect.poll(columnOf).toBe(done);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect.poll(columnOf, { timeout: 10_000 }).toBe(progress);
    await expect.poll(() => counts(page)).toEqual([1000, 1002, 999]);
    await expect
      .poll(() => column(page, 'In progress').locator(`[data-testid=task-card]:has-text("${dragged}")`).count())
      .toBe(1);

    // Search reads the whole board once, then filters every task.
    await page.getByLabel('Search', { exact: true }).fill('rollout checklist');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'matching' }).textContent(), { timeout: 20_000 })
      .toBe('600 matching');
    expect(boardReads.some((url) => url.endsWith(`/boards/${view.board.id}`))).toBe(true);
    await page.getByLabel('Search', { exact: true }).fill('');

    // The history view still replays the board (the whole stream, 1,000 events a request).
    await page.getByRole('button', { name: 'History' }).click();
    const slider = page.getByRole('slider', { name: 'Revision' });
    await expect
      .poll(async () => ((await slider.count()) > 0 ? 'slider' : await page.locator('main').innerText()), {
        timeout: 30_000,
      })
      .toBe('slider');
    expect(
      boardReads.filter((url) => url.includes('/events?after=') && url.endsWith('limit=1000')).length,
    ).toBeLessThan(6);
    await screenshot(page, 'big-board-history');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 180_000);
});
