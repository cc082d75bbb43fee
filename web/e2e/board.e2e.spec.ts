import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../../tests/kit/process.js';
import {
  boardSnapshot,
  card,
  column,
  contextFor,
  Http,
  launchChromium,
  pageErrors,
  screenshot,
  serverSnapshot as kitServerSnapshot,
  startWebServer,
  waitLive,
  type Account,
  type WebServer,
} from './board.kit.js';

let web: WebServer;
let server: ServerProcess;
let browser: Browser;
let http: Http;
let alice: Account;
let bob: Account;
let carol: Account;
let aliceContext: BrowserContext;
let bobContext: BrowserContext;
let alicePage: Page;
let bobPage: Page;
let boardId: string;

const tokenTtlSeconds = 20;
const storedAccessToken = (page: Page) =>
  page.evaluate(
    () => (JSON.parse(localStorage.getItem('primetrade.session') ?? '{}') as { accessToken?: string }).accessToken,
  );
const boardUrl = (id: string) => `${server.url}/#/boards/${id}`;

async function openBoard(page: Page, id: string): Promise<void> {
  await page.goto(boardUrl(id));
  await waitLive(page);
}

const serverSnapshot = (account: Account, id: string) => kitServerSnapshot(http, account, id);

beforeAll(async () => {
  // Short-lived access tokens: every browser here goes through silent refreshes and socket drops.
  web = await startWebServer({ ACCESS_TOKEN_TTL_SECONDS: String(tokenTtlSeconds) });
  server = web.server;
  http = new Http(server.url);
  browser = await launchChromium();
  [alice, bob, carol] = [
    await http.register('Alice Archer'),
    await http.register('Bob Baker'),
    await http.register('Carol Cole'),
  ];
});

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

describe('Web client', () => {
  describe('when someone registers with bad input', () => {
    it('shows the server’s own message for the field, then registers and logs in', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.on('weberror', (error) => pageErrors.push(`register page: ${error.error().message}`));
      const page = await context.newPage();
      await page.goto(server.url);
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      await screenshot(page, 'login');
      await page.getByRole('button', { name: 'Create an account' }).click();
      await page.getByLabel('Name').fill('Dana Dunn');
      await page.getByLabel('Email').fill('dana@example.test');
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: 'Create account' }).click();

      const refused = await http.call<{ code: string; errors: { field: string; message: string }[] }>(
        'POST',
        '/auth/register',
        { email: 'dana@example.test', password: 'short', name: 'Dana Dunn' },
      );
      const message = refused.body.errors.find((item) => item.field.endsWith('password'))?.message ?? '';
      expect(refused.body.code).toBe('VALIDATION.FAILED');
      expect(message).not.toBe('');
      await expect.poll(() => page.getByTestId('error-summary').textContent()).toContain(message);
      await expect.poll(() => page.locator('.field-error').first().textContent()).toBe(message);
      await screenshot(page, 'register-error');

      await page.getByLabel('Password').fill('a sturdy passphrase');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'My boards' }).waitFor();
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByLabel('Email').fill('dana@example.test');
      await page.getByLabel('Password').fill('wrong password!');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect.poll(() => page.getByTestId('error-summary').textContent()).toContain('Wrong email or password');
      await page.getByLabel('Password').fill('a sturdy passphrase');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'My boards' }).waitFor();
      await context.close();
    });
  });

  describe('when two people work on one board', () => {
    beforeAll(async () => {
      aliceContext = await contextFor(browser, http, alice);
      bobContext = await contextFor(browser, http, bob);
      alicePage = await aliceContext.newPage();
      bobPage = await bobContext.newPage();
    });

    it('lets the owner create a board and add members from the UI', async () => {
      await alicePage.goto(server.url);
      await alicePage.getByLabel('New board name').fill('Launch plan');
      await alicePage.getByRole('button', { name: 'Create board' }).click();
      await alicePage.getByTestId('board-name').waitFor();
      boardId = decodeURIComponent(/#\/boards\/([^/]+)/.exec(alicePage.url())?.[1] ?? '');
      await waitLive(alicePage);

      await alicePage.getByRole('button', { name: /^Members/ }).click();
      const dialog = alicePage.getByTestId('members-dialog');
      await dialog.getByLabel('Email').fill(bob.user.email);
      await dialog.getByLabel('Role', { exact: true }).selectOption('editor');
      await dialog.getByRole('button', { name: 'Add member' }).click();
      await expect.poll(() => dialog.locator('.name', { hasText: 'Bob Baker' }).count()).toBe(1);
      await dialog.getByLabel('Email').fill(carol.user.email);
      await dialog.getByLabel('Role', { exact: true }).selectOption('viewer');
      await dialog.getByRole('button', { name: 'Add member' }).click();
      await expect.poll(() => dialog.locator('.name', { hasText: 'Carol Cole' }).count()).toBe(1);
      await screenshot(alicePage, 'members');
      await dialog.getByRole('button', { name: 'Close members' }).click();
      await openBoard(bobPage, boardId);
      await expect
        .poll(() => bobPage.getByTestId('presence-avatar').filter({ hasText: 'Alice Archer' }).count())
        .toBe(1);
    });

    it('shows a card created in one browser in the other without reload', async () => {
      await column(alicePage, 'To do').getByLabel('New task in To do').fill('Write the launch plan');
      await column(alicePage, 'To do').getByRole('button', { name: 'Add task to To do' }).click();
      await card(bobPage, 'Write the launch plan').waitFor();
      await expect.poll(() => column(bobPage, 'To do').getByTestId('task-card').count()).toBe(1);
    });

    it('shows an edit made in one browser in the other, with who is editing', async () => {
      await card(alicePage, 'Write the launch plan').click();
      const panel = alicePage.getByTestId('task-panel');
      await panel.getByLabel('Title').fill('Write the launch plan v2');
      await expect
        .poll(() => card(bobPage, 'Write the launch plan').getByTestId('card-editors').textContent())
        .toContain('Alice Archer is editing');
      await panel.getByLabel('Description').fill('Dates, owners, risks.');
      await panel.getByLabel('Priority').selectOption('high');
      await panel.getByLabel('Labels (comma-separated)').fill('launch, q1');
      await panel.getByRole('checkbox', { name: /Bob Baker/ }).check();
      await panel.getByRole('button', { name: 'Save changes' }).click();
      await card(bobPage, 'Write the launch plan v2').waitFor();
      await expect.poll(() => card(bobPage, 'Write the launch plan v2').textContent()).toContain('high');
      await expect.poll(() => card(bobPage, 'Write the launch plan v2').textContent()).toContain('launch');
      await panel.getByLabel('Add a comment').fill('Draft by Friday');
      await panel.getByRole('button', { name: 'Comment', exact: true }).click();
      await screenshot(alicePage, 'task-panel');
      await panel.getByRole('button', { name: 'Close task details' }).click();
      await card(bobPage, 'Write the launch plan v2').click();
      await expect.poll(() => bobPage.getByTestId('comment').textContent()).toContain('Draft by Friday');
      await bobPage.getByRole('button', { name: 'Close task details' }).click();
    });

    it('tells Bob in his notification bell, live, that Alice assigned him, and lets him mark it read', async () => {
      await expect
        .poll(async () => Number((await bobPage.getByTestId('notification-count').textContent()) ?? 0))
        .toBeGreaterThan(0);
      await bobPage.getByTestId('notification-bell').click();
      const panel = bobPage.getByTestId('notification-panel');
      await expect.poll(() => panel.textContent()).toContain('Alice Archer assigned you to “Write the launch plan v2”');
      await screenshot(bobPage, 'notifications');
      await panel.getByRole('button', { name: 'Mark all read' }).click();
      await expect.poll(() => bobPage.getByTestId('notification-count').count()).toBe(0);
      await bobPage.getByTestId('notification-bell').click();
      expect(
        (
          await http.call<{ unreadCount: number }>(
            'GET',
            '/notifications',
            undefined,
            (await http.login(bob)).accessToken,
          )
        ).body.unreadCount,
      ).toBe(0);
    });

    it('shows a move made by drag and drop, and one made with the keyboard, in the other browser', async () => {
      await alicePage.dragAndDrop(
        '[data-testid=task-card]:has-text("Write the launch plan v2")',
        `[data-testid=column]:has(h2:text-is("In progress")) [role=list]`,
      );
      await expect.poll(() => column(bobPage, 'In progress').getByTestId('task-card').count()).toBe(1);
      await card(bobPage, 'Write the launch plan v2').focus();
      await bobPage.keyboard.press('Alt+ArrowRight');
      await expect.poll(() => column(alicePage, 'Done').getByTestId('task-card').count()).toBe(1);
      await expect.poll(() => card(alicePage, 'Write the launch plan v2').textContent()).toContain('done');
      await screenshot(alicePage, 'board');
    });

    it('shows a card deleted in one browser disappear from the other', async () => {
      await card(alicePage, 'Write the launch plan v2').click();
      const panel = alicePage.getByTestId('task-panel');
      await panel.getByRole('button', { name: 'Delete task' }).click();
      await panel.getByRole('button', { name: 'Confirm delete' }).click();
      await expect.poll(() => bobPage.getByTestId('task-card').count()).toBe(0);
      expect(await boardSnapshot(bobPage)).toEqual(await serverSnapshot(bob, boardId));
    });

    it('ends with the same board in both browsers after one was offline while the other kept editing', async () => {
      await bobContext.setOffline(true);
      await bobPage.locator('[data-testid=connection][data-state=offline]').waitFor();
      for (const title of ['Book the venue', 'Order T-shirts', 'Invite press']) {
        await column(alicePage, 'To do').getByLabel('New task in To do').fill(title);
        await column(alicePage, 'To do').getByRole('button', { name: 'Add task to To do' }).click();
        await card(alicePage, title).and(alicePage.locator(':not([aria-busy=true])')).waitFor();
      }
      await alicePage.dragAndDrop(
        '[data-testid=task-card]:has-text("Order T-shirts")',
        `[data-testid=column]:has(h2:text-is("In progress")) [role=list]`,
      );
      await card(alicePage, 'Invite press').click();
      await alicePage.getByTestId('task-panel').getByLabel('Title').fill('Invite the press');
      await alicePage.getByTestId('task-panel').getByRole('button', { name: 'Save changes' }).click();
      await alicePage.getByRole('button', { name: 'Close task details' }).click();
      await expect.poll(() => serverSnapshot(alice, boardId)).toEqual(await boardSnapshot(alicePage));
      await screenshot(bobPage, 'offline');
      expect(await bobPage.getByTestId('task-card').count()).toBe(0);

      await bobContext.setOffline(false);
      await waitLive(bobPage);
      const expected = await serverSnapshot(alice, boardId);
      await expect.poll(() => boardSnapshot(bobPage)).toEqual(expected);
      expect(await boardSnapshot(alicePage)).toEqual(expected);
      expect(expected.flatMap((item) => item.cards).sort()).toEqual([
        'Book the venue',
        'Invite the press',
        'Order T-shirts',
      ]);
    });

    it('refuses a move over a WIP limit with the server’s message and puts the card back', async () => {
      await column(alicePage, 'In progress').locator('summary').click();
      await column(alicePage, 'In progress').getByLabel('WIP limit (empty: none)').fill('1');
      await column(alicePage, 'In progress').getByRole('button', { name: 'Set limit' }).click();
      await column(bobPage, 'In progress').getByTestId('wip-reached').waitFor();
      await alicePage.dragAndDrop(
        '[data-testid=task-card]:has-text("Book the venue")',
        `[data-testid=column]:has(h2:text-is("In progress")) [role=list]`,
      );
      await expect
        .poll(() => alicePage.getByTestId('notice-error').textContent())
        .toContain('The column is at its WIP limit');
      await expect.poll(() => alicePage.getByTestId('notice-error').textContent()).toContain('WIP limit of 1');
      expect(await column(alicePage, 'To do').getByTestId('task-card').count()).toBe(2);
      await screenshot(alicePage, 'wip-limit');
    });

    it('rolls an optimistic move back when the server refuses it', async () => {
      await alicePage.route('**/api/v1/tasks/*/move', (route) =>
        route.fulfill({
          status: 409,
          contentType: 'application/problem+json',
          body: JSON.stringify({ code: 'REVISION.CONFLICT', detail: 'Injected refusal', status: 409 }),
        }),
      );
      await card(alicePage, 'Book the venue').focus();
      await alicePage.keyboard.press('Alt+ArrowUp');
      await expect.poll(() => alicePage.getByTestId('notice-error').last().textContent()).toContain('Injected refusal');
      await expect.poll(() => boardSnapshot(alicePage)).toEqual(await serverSnapshot(alice, boardId));
      await alicePage.unroute('**/api/v1/tasks/*/move');
    });

    it('undoes a delete from the toast and a completion with Ctrl+Z, each showing in the other browser', async () => {
      await column(alicePage, 'To do').getByLabel('New task in To do').fill('Undo me');
      await column(alicePage, 'To do').getByRole('button', { name: 'Add task to To do' }).click();
      await card(bobPage, 'Undo me').waitFor();
      await card(alicePage, 'Undo me').click();
      const panel = alicePage.getByTestId('task-panel');
      await panel.getByRole('button', { name: 'Delete task' }).click();
      await panel.getByRole('button', { name: 'Confirm delete' }).click();
      await expect.poll(() => card(bobPage, 'Undo me').count()).toBe(0);
      const toast = alicePage.getByTestId('notice-success').filter({ hasText: 'Task deleted' });
      await toast.getByTestId('notice-action').click();
      await card(bobPage, 'Undo me').waitFor();
      await card(alicePage, 'Undo me').waitFor();

      // A column in between has a WIP limit of 1 by now: complete the card instead of moving it.
      await card(alicePage, 'Undo me').click();
      await panel.getByRole('button', { name: 'Mark complete' }).click();
      await expect.poll(() => card(bobPage, 'Undo me').textContent()).toContain('done');
      await alicePage.keyboard.press('Escape');
      await alicePage.keyboard.press('Control+z');
      await expect.poll(() => card(bobPage, 'Undo me').textContent()).not.toContain('done');
      await expect
        .poll(() => alicePage.getByTestId('notice-success').filter({ hasText: 'Undone: Task completed' }).count())
        .toBe(1);
      // The task panel's history tells the story, undo included.
      await card(alicePage, 'Undo me').click();
      const history = panel.getByTestId('task-history');
      await history.locator('summary').click();
      await expect.poll(() => history.textContent()).toContain('Reopened “Undo me”');
      await expect.poll(() => history.textContent()).toContain('Brought back the deleted task “Undo me”');
      await alicePage.keyboard.press('Escape');
      await expect.poll(() => boardSnapshot(bobPage)).toEqual(await serverSnapshot(bob, boardId));
      await expect.poll(() => boardSnapshot(alicePage)).toEqual(await serverSnapshot(alice, boardId));
    });

    it('replays the board with the history slider, read-only, from its creation to now', async () => {
      const liveCards = await alicePage.getByTestId('columns').getByTestId('task-card').count();
      await alicePage.getByRole('button', { name: 'History' }).click();
      const entry = alicePage.getByTestId('history-entry');
      await expect.poll(() => entry.textContent()).toMatch(/Revision (\d+) of \1/);
      const head = Number(/of (\d+)/.exec((await entry.textContent()) ?? '')?.[1]);
      const slider = alicePage.getByRole('slider', { name: 'Revision' });
      await slider.fill('0');
      await expect.poll(() => entry.textContent()).toContain(`Revision 0 of ${head}`);
      await expect.poll(() => entry.textContent()).toContain('Created the board');
      await expect.poll(() => alicePage.getByTestId('history-columns').getByTestId('task-card').count()).toBe(0);
      await alicePage.getByRole('button', { name: 'Next change' }).click();
      await expect.poll(() => entry.textContent()).toContain(`Revision 1 of ${head}`);
      await slider.fill(String(head));
      await expect
        .poll(() => alicePage.getByTestId('history-columns').getByTestId('task-card').count())
        .toBe(liveCards);
      // Read-only: nothing to drag, no quick add.
      expect(await alicePage.getByTestId('history-columns').locator('[draggable=true]').count()).toBe(0);
      await screenshot(alicePage, 'history-slider');
      await alicePage.getByRole('button', { name: 'Back to the live board' }).click();
      await alicePage.getByTestId('columns').waitFor();
      await expect.poll(() => boardSnapshot(alicePage)).toEqual(await serverSnapshot(alice, boardId));
    });

    it('shows the board’s statistics with charts, and follows a change made elsewhere', async () => {
      const login = await http.login(alice);
      const liveTasks = async () =>
        (await http.call<{ tasks: { live: number } }>('GET', `/boards/${boardId}/stats`, undefined, login.accessToken))
          .body.tasks.live;
      await alicePage.getByRole('button', { name: 'Stats' }).click();
      const live = alicePage.getByTestId('stats-live');
      await expect.poll(() => live.textContent()).toBe(String(await liveTasks()));
      // uPlot draws on canvases: at least the cumulative flow.
      await expect
        .poll(() => alicePage.getByTestId('stats-view').locator('.uplot canvas').count())
        .toBeGreaterThanOrEqual(1);
      const before = Number(await live.textContent());
      await column(bobPage, 'To do').getByLabel('New task in To do').fill('Counted in the stats');
      await column(bobPage, 'To do').getByRole('button', { name: 'Add task to To do' }).click();
      await expect.poll(() => live.textContent(), { timeout: 10_000 }).toBe(String(before + 1));
      expect(await liveTasks()).toBe(before + 1);
      await screenshot(alicePage, 'stats');
      await alicePage.getByRole('button', { name: 'Back to the live board' }).click();
      await alicePage.getByTestId('columns').waitFor();
    });
  });

  describe('when the access tokens expire', () => {
    it('refreshes them silently: the sockets come back and both people keep editing', async () => {
      const before = await storedAccessToken(bobPage);
      await bobPage.waitForTimeout((tokenTtlSeconds + 2) * 1000);
      await column(alicePage, 'To do').getByLabel('New task in To do').fill('After the refresh');
      await column(alicePage, 'To do').getByRole('button', { name: 'Add task to To do' }).click();
      await card(bobPage, 'After the refresh').waitFor();
      await card(bobPage, 'After the refresh').click();
      await bobPage.getByTestId('task-panel').getByLabel('Title').fill('After the silent refresh');
      await bobPage.getByTestId('task-panel').getByRole('button', { name: 'Save changes' }).click();
      await bobPage.getByRole('button', { name: 'Close task details' }).click();
      await card(alicePage, 'After the silent refresh').waitFor();
      expect(await storedAccessToken(bobPage)).not.toBe(before);
      expect(await bobPage.getByTestId('notice-error').count()).toBe(0);
      await waitLive(bobPage);
      await expect.poll(() => boardSnapshot(bobPage)).toEqual(await boardSnapshot(alicePage));
    });
  });

  describe('when a viewer opens the board', () => {
    it('shows it read-only: no quick add, no dragging, a disabled task form', async () => {
      const context = await contextFor(browser, http, carol);
      const page = await context.newPage();
      await openBoard(page, boardId);
      await card(page, 'Book the venue').waitFor();
      const before = await boardSnapshot(page);
      expect(await page.getByPlaceholder('Add a task…').count()).toBe(0);
      expect(await card(page, 'Book the venue').getAttribute('draggable')).toBe('false');
      await card(page, 'Book the venue').focus();
      await page.keyboard.press('Alt+ArrowRight');
      await card(page, 'Book the venue').click();
      await page.getByTestId('read-only').waitFor();
      expect(await page.getByTestId('task-panel').getByLabel('Title').isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Delete task' }).count()).toBe(0);
      expect(await boardSnapshot(page)).toEqual(before);
      await screenshot(page, 'viewer');
      await context.close();
    });
  });

  describe('when the screen is narrow', () => {
    it('keeps the board usable: one column per screen width, the panel full width', async () => {
      const context = await contextFor(browser, http, alice, { width: 390, height: 844 });
      const page = await context.newPage();
      await openBoard(page, boardId);
      const box = await column(page, 'To do').boundingBox();
      expect(box?.width ?? 0).toBeLessThanOrEqual(390);
      expect(box?.width ?? 0).toBeGreaterThan(300);
      await screenshot(page, 'board-narrow');
      await card(page, 'Book the venue').click();
      const panel = await page.getByTestId('task-panel').boundingBox();
      expect(panel?.width).toBe(390);
      await screenshot(page, 'task-panel-narrow');
      await context.close();
    });
  });

  describe('after all of the above', () => {
    it('raised no uncaught error in any page', () => {
      expect(pageErrors).toEqual([]);
    });
  });
});
