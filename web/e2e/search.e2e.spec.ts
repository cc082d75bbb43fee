import type { EmbeddedSystem } from '@primetrade/server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Http } from './board.kit.js';
import { contextFor, launchChromium, pageErrors, screenshot, type Account, type View } from './board.kit.js';
import { startInProcessSystem, type InProcessSystem } from './inProcess.kit.js';

/** Search across all my boards (docs/api.md "Search") on the real embedded system in this process. */
let inProcess: InProcessSystem;
let system: EmbeddedSystem;
let browser: Browser;
let http: Http;
let alice: Account;
let bob: Account;
const boards: Record<'launch' | 'support' | 'private', View> = {} as never;
const taskIds: Record<string, string> = {};

async function createTask(account: Account, view: View, body: Record<string, unknown>): Promise<number> {
  const created = await http.call<{ id: string }>('POST', `/boards/${view.board.id}/tasks`, body, account.accessToken);
  if (created.status !== 201) throw new Error(`create task: ${created.status} ${JSON.stringify(created.body)}`);
  taskIds[body.title as string] = created.body.id;
  const board = await http.call<View>('GET', `/boards/${view.board.id}`, undefined, account.accessToken);
  return board.body.revision;
}

beforeAll(async () => {
  inProcess = await startInProcessSystem('search');
  ({ system, http } = inProcess);
  alice = await http.register('Alice Archer');
  bob = await http.register('Bob Baker');
  browser = await launchChromium();
  const board = async (account: Account, name: string) =>
    (await http.call<View>('POST', '/boards', { name }, account.accessToken)).body;
  boards.launch = await board(alice, 'Launch');
  boards.support = await board(alice, 'Support');
  boards.private = await board(bob, 'Private');
  await createTask(alice, boards.launch, { title: 'Write release notes', labels: ['docs'] });
  await createTask(alice, boards.launch, { title: 'Prepare the deployment checklist', priority: 'high' });
  await createTask(alice, boards.support, {
    title: 'Customer escalation',
    description: 'The deployment broke their login',
    priority: 'urgent',
  });
  await createTask(bob, boards.private, { title: 'Secret deployment plan' });
  // The embedded search feed indexes the tasks a moment after the read models (docs/adr/0026-search-projection.md).
  await vi.waitFor(
    async () => {
      const found = await http.call<{ total: number }>('GET', '/search?q=deployment', undefined, alice.accessToken);
      expect(found.body.total).toBe(2);
    },
    { timeout: 30_000, interval: 100 },
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await inProcess?.close();
});

describe('Web client search', () => {
  it('finds tasks of two boards despite a typo, narrows by a facet and jumps to the task on its board', async () => {
    const context = await contextFor(browser, http, alice);
    const page = await context.newPage();
    await page.goto(`${system.url}/#/boards`);
    await page.getByLabel('Search all my boards').fill('deploymnet');
    await page.getByLabel('Search all my boards').press('Enter');

    const hits = page.getByTestId('search-hit');
    await expect.poll(() => hits.count(), { timeout: 15_000 }).toBe(2);
    expect(page.url()).toContain('#/search?q=deploymnet');
    const texts = await hits.allTextContents();
    expect(texts.some((text) => text.includes('Prepare the deployment checklist') && text.includes('Launch'))).toBe(
      true,
    );
    expect(texts.some((text) => text.includes('Customer escalation') && text.includes('Support'))).toBe(true);
    expect(texts.join(' ')).not.toContain('Secret');
    // The matched word is marked, as text: the title of the first hit and the description of the second.
    expect(await page.locator('[data-testid=search-hit] mark').allTextContents()).toEqual(['deployment', 'deployment']);
    await screenshot(page, 'search-results');

    // A facet narrows to one board; clicking it again widens back.
    const supportFacet = page.getByTestId('facet-board').filter({ hasText: 'Support' });
    await supportFacet.click();
    await expect.poll(() => hits.count()).toBe(1);
    expect(await supportFacet.getAttribute('aria-pressed')).toBe('true');
    await supportFacet.click();
    await expect.poll(() => hits.count()).toBe(2);

    // ↓ selects a result, Enter opens its board with the task panel.
    const input = page.getByLabel(/Words in titles/);
    await input.focus();
    const titles = await hits.allTextContents();
    const index = titles.findIndex((text) => text.includes('Customer escalation'));
    for (let step = 0; step <= index; step += 1) await input.press('ArrowDown');
    expect(await hits.nth(index).getAttribute('aria-selected')).toBe('true');
    await input.press('Enter');
    await expect
      .poll(() => page.url())
      .toContain(`#/boards/${boards.support.board.id}/tasks/${taskIds['Customer escalation']}`);
    const panel = page.getByTestId('task-panel');
    await expect.poll(() => panel.getByLabel('Title').inputValue(), { timeout: 15_000 }).toBe('Customer escalation');
    await screenshot(page, 'search-jump-to-task');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('says the search is unavailable while the server answers 503, retries, then shows the results', async () => {
    const context = await contextFor(browser, http, alice);
    const page = await context.newPage();
    // The engine "down" for the first two answers: a 503 problem as the API gives it, then the real server.
    let asked = 0;
    await page.route('**/api/v1/search?**', async (route) => {
      asked += 1;
      if (asked > 2) return route.continue();
      return route.fulfill({
        status: 503,
        headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '2' },
        body: JSON.stringify({ status: 503, code: 'SERVICE.UNAVAILABLE', detail: 'The search engine is unavailable' }),
      });
    });
    await page.goto(`${system.url}/#/search?q=escalation`);
    await expect.poll(() => page.getByText('Search is unavailable, retrying…').isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('search-hit').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByText('Search is unavailable, retrying…').count()).toBe(0);
    // Settled: no more requests once answered.
    const settled = asked;
    await page.waitForTimeout(2_500);
    expect(asked).toBe(settled);
    await context.close();
  });
});
