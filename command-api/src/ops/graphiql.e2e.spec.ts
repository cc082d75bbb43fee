import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../http/app.testkit.js';

describe('GraphiQL in a browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser.close();
    await t.close();
  });

  it('runs a query with the web session token, offline, under the helmet CSP', async () => {
    const user = await t.registerUser({ name: 'Grace' });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    // Offline: anything not served by the app itself fails.
    await page.route('**/*', (route) => (route.request().url().startsWith(t.url) ? route.continue() : route.abort()));
    // Signed in to the web client on the same origin (web/src/lib/session.svelte.ts).
    await page.addInitScript({
      content: `localStorage.setItem('primetrade.session', ${JSON.stringify(JSON.stringify(user))});`,
    });
    await page.goto(`${t.url}/api/graphiql?query=${encodeURIComponent('{ me { name email } }')}`);
    await page.locator('.graphiql-execute-button').click({ timeout: 30_000 });
    await expect.poll(() => page.locator('.result-window').textContent(), { timeout: 30_000 }).toContain('Grace');
    await page.screenshot({ path: 'test-output/screenshots/graphiql.png' });
    expect(problems).toEqual([]);
  });
});
