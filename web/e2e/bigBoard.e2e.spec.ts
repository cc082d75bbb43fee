import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keysAfter } from '@primetrade/domain';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../tests/kit/process.js';
import {
  contextFor,
  Http,
  launchChromium,
  screenshot,
  startWebServer,
  type Account,
  type View,
  type WebServer,
} from './board.kit.js';

let web: WebServer;
let browser: Browser;
let http: Http;
let alice: Account;

beforeAll(async () => {
  web = await startWebServer();
  http = new Http(web.server.url);
  browser = await launchChromium();
  alice = await http.register('Alice Archer');
});

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

describe('Web client', () => {
  describe('when a board holds 5,000 tasks', () => {
    /**
     * The server's board view, with 5,000 tasks added to its real columns. Seeding 5,000 tasks
     * through the API takes minutes on embedded PGlite (one board stream, ~16 creates/s here), so
     * the browser gets them in the board response instead; everything after it (fold, socket,
     * catch-up, rendering) is the real path.
     */
    function withTasks(view: View, count: number) {
      const keys = keysAfter(null, Math.ceil(count / view.columns.length));
      const at = new Date().toISOString();
      const tasks = Array.from({ length: count }, (_, index) => ({
        id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
        boardId: view.board.id,
        columnId: view.columns[index % view.columns.length]?.id ?? '',
        position: keys[Math.floor(index / view.columns.length)] ?? 'V',
        title: `Task ${String(index).padStart(4, '0')}: ${index % 5 === 0 ? 'review the rollout checklist' : 'ship it'}`,
        description: '',
        priority: (['low', 'medium', 'high', 'urgent'] as const)[index % 4],
        dueDate: null,
        assigneeIds: [],
        labels: [`area-${index % 7}`],
        status: 'open',
        archived: false,
        createdBy: alice.user.id,
        createdAt: at,
        updatedAt: at,
        completedAt: null,
      }));
      return { ...view, tasks };
    }

    it('renders its first screen in under a second, keeping only a window of cards in the page', async () => {
      const token = alice.accessToken;
      const created = await http.call<View>('POST', '/boards', { name: 'Big board' }, token);
      const boardId5k = created.body.board.id;
      const { body: view } = await http.call<View>('GET', `/boards/${boardId5k}`, undefined, token);
      const body = JSON.stringify(withTasks(view, 5000));
      const context = await contextFor(browser, http, alice);
      const page = await context.newPage();
      // The client asks for column pages (`?tasksPerColumn=`, docs/adr/0023-big-boards-column-pages.md);
      // it gets the whole board, which it takes as a board loaded whole.
      await page.route(
        (url) => url.pathname === `/api/v1/boards/${boardId5k}`,
        (route) =>
          route.fulfill({
            status: 200,
            contentType: 'application/json',
            headers: { ETag: `W/"${view.revision}"` },
            body,
          }),
      );

      // Three full page loads (the first with a cold cache); the median is the figure. The board's
      // first screen is timed from the moment the board page asks for the board (request, transfer,
      // fold, render, paint); the app's own start before that is reported beside it.
      const runs: {
        firstRenderMs: number;
        loadStartMs: number;
        viewReceivedMs: number;
        cardsInDom: number;
        columnCounts: (string | undefined)[];
      }[] = [];
      for (let run = 0; run < 3; run++) {
        await page.goto(`${web.server.url}/?run=${run}#/boards/${boardId5k}`); // a new document each time
        await page.waitForFunction(() => performance.getEntriesByName('board:first-render').length > 0, null, {
          timeout: 30_000,
        });
        runs.push(
          await page.evaluate(() => ({
            firstRenderMs: performance.getEntriesByName('board:first-render')[0]?.startTime ?? -1,
            loadStartMs: performance.getEntriesByName('board:load-start')[0]?.startTime ?? -1,
            viewReceivedMs: performance.getEntriesByName('board:view-received')[0]?.startTime ?? -1,
            cardsInDom: document.querySelectorAll('[data-testid=task-card]').length,
            columnCounts: [...document.querySelectorAll('[data-testid=column-count]')].map((item) =>
              item.textContent?.trim(),
            ),
          })),
        );
      }
      const boardMs = (run: (typeof runs)[number]) => run.firstRenderMs - run.loadStartMs;
      const median = [...runs].sort((a, b) => boardMs(a) - boardMs(b))[1];
      if (median === undefined) throw new Error('no runs');
      const timing = {
        ...median,
        boardFirstScreenMs: boardMs(median),
        renderAfterDataMs: median.firstRenderMs - median.viewReceivedMs,
      };
      await screenshot(page, 'big-board');
      const result = { tasks: 5000, median: timing, runs, measuredAt: new Date().toISOString() };
      await mkdir(path.join(repoRoot, 'test-output'), { recursive: true });
      await writeFile(path.join(repoRoot, 'test-output/web-first-render.json'), `${JSON.stringify(result, null, 2)}\n`);
      console.log(
        `5,000-task board (median of 3 loads): first screen ${timing.boardFirstScreenMs.toFixed(0)} ms after the board page asked for it ` +
          `(${timing.renderAfterDataMs.toFixed(0)} ms after the data arrived; ${timing.firstRenderMs.toFixed(0)} ms after navigation start), ` +
          `${timing.cardsInDom} cards in the DOM`,
      );

      expect(timing.columnCounts.map((text) => Number(text?.split(/\s/)[0]))).toEqual([1667, 1667, 1666]);
      expect(timing.cardsInDom).toBeLessThan(120);
      expect(timing.loadStartMs).toBeGreaterThan(0);
      expect(timing.boardFirstScreenMs).toBeGreaterThan(0);
      expect(timing.boardFirstScreenMs).toBeLessThan(1000);

      await page.getByLabel('Search', { exact: true }).fill('rollout checklist');
      await expect
        .poll(() => page.getByRole('status').filter({ hasText: 'matching' }).textContent())
        .toBe('1000 matching');
      await page.getByLabel('Priority', { exact: true }).selectOption('urgent');
      await expect
        .poll(() => page.getByRole('status').filter({ hasText: 'matching' }).textContent())
        .toBe('250 matching');
      await screenshot(page, 'big-board-filtered');
      await context.close();
    });
  });
});
