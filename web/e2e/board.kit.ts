import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { signedInContext } from '../../tests/kit/browser.js';
import { repoRoot, startServer, tempDir, type ServerProcess } from '../../tests/kit/process.js';

export const webDir = path.join(repoRoot, 'web');
export const webRoot = path.join(webDir, 'dist');
export const screenshotDir = path.join(repoRoot, 'test-output/screenshots');

/** Uncaught errors in any page of a context made by `contextFor`: the suite expects none. */
export const pageErrors: string[] = [];

const newestChange = (entry: string): number => {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newestChange(path.join(entry, name))));
};

/** Builds the web client into web/dist (Vite, offline) unless the build is newer than its sources. */
export function buildWeb(): void {
  const sources = ['src', 'index.html', 'vite.config.ts', '../domain/src'].map((item) => path.join(webDir, item));
  let built = 0;
  try {
    built = statSync(path.join(webRoot, 'index.html')).mtimeMs;
  } catch {
    // not built yet
  }
  if (built > Math.max(...sources.map(newestChange))) return;
  const vite = path.join(repoRoot, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: webDir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}

export interface WebServer {
  readonly server: ServerProcess;
  stop(): Promise<void>;
}

/** The embedded server (tests/kit) on a temp data dir, serving web/dist, with rate limits out of the way. */
export async function startWebServer(env: Record<string, string> = {}): Promise<WebServer> {
  buildWeb();
  const data = await tempDir('pt-web-e2e');
  const server = await startServer({
    DATA_DIR: data.dir,
    WEB_ROOT: webRoot,
    RATE_LIMIT_API_PER_MINUTE: '1000000',
    RATE_LIMIT_REGISTER_PER_HOUR: '1000',
    RATE_LIMIT_LOGIN_PER_15_MINUTES: '1000',
    RATE_LIMIT_LOGIN_ACCOUNT_PER_15_MINUTES: '1000',
    ...env,
  });
  return {
    server,
    async stop() {
      await server.stop();
      await data.remove();
    },
  };
}

export { launchChromium } from '../../tests/kit/browser.js';

export interface Account {
  readonly user: { readonly id: string; readonly name: string; readonly email: string };
  readonly password: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

const password = 'correct horse battery';

export class Http {
  constructor(readonly baseUrl: string) {}

  async call<T>(method: string, route: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}/api/v1${route}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
  }

  async register(name: string): Promise<Account> {
    const email = `${name.split(' ')[0]?.toLowerCase() ?? 'user'}-${Math.random().toString(36).slice(2, 8)}@example.test`;
    const { status, body } = await this.call<Account>('POST', '/auth/register', { email, password, name });
    if (status !== 201 && status !== 200) throw new Error(`register ${name}: ${status} ${JSON.stringify(body)}`);
    return { ...body, password };
  }

  /** A new session (its own refresh token: rotation in one browser must not end another's). */
  async login(account: Account): Promise<Account> {
    const { status, body } = await this.call<Account>('POST', '/auth/login', {
      email: account.user.email,
      password: account.password,
    });
    if (status !== 200) throw new Error(`login ${account.user.name}: ${status} ${JSON.stringify(body)}`);
    return { ...body, password: account.password };
  }
}

/** A browser context logged in as `account` with a session of its own (as the app keeps it in localStorage). */
export async function contextFor(
  browser: Browser,
  http: Http,
  account: Account,
  viewport = { width: 1400, height: 900 },
): Promise<BrowserContext> {
  const session = await http.login(account);
  const context = await signedInContext(browser, session, viewport);
  context.on('weberror', (error) => pageErrors.push(`${account.user.name}: ${error.error().message}`));
  return context;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: false });
}

export const column = (page: Page, name: string): Locator =>
  page.locator('[data-testid=column]', { has: page.getByRole('heading', { name, exact: true }) });

export const card = (page: Page, title: string): Locator =>
  page.locator('[data-testid=task-card]', { has: page.locator('.title', { hasText: title }) });

export interface ColumnSnapshot {
  readonly column: string;
  readonly cards: readonly string[];
}

/** What the page shows: each column's heading and its cards' titles, in order. */
export const boardSnapshot = (page: Page): Promise<ColumnSnapshot[]> =>
  page.$$eval('[data-testid=column]', (columns) =>
    columns.map((element) => ({
      column: element.querySelector('h2')?.textContent?.trim() ?? '',
      cards: [...element.querySelectorAll('[data-testid=task-card] .title')].map(
        (title) => title.textContent?.trim() ?? '',
      ),
    })),
  );

export const waitLive = (page: Page): Promise<void> =>
  page.locator('[data-testid=connection][data-state=live]').waitFor({ timeout: 20_000 });

/** The board view as the tests read it. */
export interface View {
  board: { id: string; name: string };
  columns: { id: string; name: string }[];
  tasks: { id: string; title: string; columnId: string }[];
  revision: number;
}

/** The board as the server's read model has it: columns in order with their cards' titles. */
export async function serverSnapshot(http: Http, account: Account, boardId: string): Promise<ColumnSnapshot[]> {
  const { accessToken } = await http.login(account); // tokens in these tests are short-lived
  const { body } = await http.call<View>('GET', `/boards/${boardId}`, undefined, accessToken);
  return body.columns.map((item) => ({
    column: item.name,
    cards: body.tasks.filter((task) => task.columnId === item.id).map((task) => task.title),
  }));
}
