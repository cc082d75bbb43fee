import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresSql, createSqlEventStore, createTestDatabase, loadConfig, type Sql } from '@primetrade/platform';
import { appendBigBoard } from '@primetrade/projector';
import { startEmbedded, type EmbeddedSystem } from '@primetrade/server';
import { chromium, type Browser } from 'playwright-core';
import { median, pairedRatio, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';
import { timedRequest } from './lib/fetchJson.js';

const bigTasks = 50_000;
const smallTasks = 500;
/** What the web client asks for first (web/src/lib/live.svelte.ts `columnPageSize`). */
const tasksPerColumn = 100;
const requestsPerSample = 20;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const webRoot = path.join(repoRoot, 'web/dist');

interface Session {
  readonly user: { readonly id: string };
  readonly accessToken: string;
  readonly refreshToken: string;
}

interface BoardView {
  readonly board: { readonly id: string };
  readonly columns: readonly { readonly id: string }[];
  readonly revision: number;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

function buildWebIfMissing(): void {
  if (existsSync(path.join(webRoot, 'index.html'))) return;
  const vite = path.join(repoRoot, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: path.join(repoRoot, 'web'),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}

async function call<T>(url: string, method: string, route: string, token?: string, body?: unknown) {
  const answer = await timedRequest(url, method, route, token, body);
  if (!answer.ok) throw new Error(`B15 ${method} ${route}: ${answer.status} ${answer.text.slice(0, 200)}`);
  return { body: JSON.parse(answer.text) as T, ms: answer.ms, bytes: answer.bytes };
}

/** A board of `tasks` tasks: created through the API, its tasks appended to its stream and projected by the system. */
async function seedBoard(system: EmbeddedSystem, sql: Sql, session: Session, tasks: number): Promise<string> {
  const { body: view } = await call<BoardView>(system.url, 'POST', '/boards', session.accessToken, {
    name: `${tasks} tasks`,
  });
  const store = await createSqlEventStore(sql, { pollIntervalMs: 60_000 });
  const started = performance.now();
  const revision = await appendBigBoard(store, {
    boardId: view.board.id,
    actorId: session.user.id,
    columnIds: view.columns.map((column) => column.id),
    revision: view.revision,
    tasks,
  });
  await store.close();
  for (;;) {
    const route = `/boards/${view.board.id}?tasksPerColumn=1`;
    const { body } = await call<BoardView>(system.url, 'GET', route, session.accessToken);
    if (body.revision === revision) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  log(`  B15 board of ${tasks} tasks appended and projected in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return view.board.id;
}

/** p50 and p95 of `requestsPerSample` reads of the board's first screen (each column's first page), ms. */
async function firstScreenData(url: string, token: string, boardId: string): Promise<{ p50: number; p95: number }> {
  const samples: number[] = [];
  for (let index = 0; index < requestsPerSample; index++) {
    samples.push((await call(url, 'GET', `/boards/${boardId}?tasksPerColumn=${tasksPerColumn}`, token)).ms);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

/** One page load of the board in Chromium: from the board page asking for the board to its first painted cards, ms. */
async function firstCard(browser: Browser, url: string, session: Session, boardId: string, run: number) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const value = JSON.stringify(session);
  await context.addInitScript({
    content: `if (localStorage.getItem('primetrade.session') === null) localStorage.setItem('primetrade.session', ${JSON.stringify(value)});`,
  });
  const page = await context.newPage();
  await page.goto(`${url}/?run=${run}#/boards/${boardId}`);
  await page.waitForFunction(() => performance.getEntriesByName('board:first-render').length > 0, null, {
    timeout: 60_000,
  });
  const marks = await page.evaluate(() => ({
    loadStart: performance.getEntriesByName('board:load-start')[0]?.startTime ?? Number.NaN,
    firstRender: performance.getEntriesByName('board:first-render')[0]?.startTime ?? Number.NaN,
  }));
  const cards = await page.locator('[data-testid=task-card]').count();
  await context.close();
  if (cards === 0) throw new Error('B15: no card rendered');
  return { boardMs: marks.firstRender - marks.loadStart, fromNavigationMs: marks.firstRender };
}

export interface BigBoardBench {
  readonly tasks: { readonly small: number; readonly big: number };
  readonly tasksPerColumn: number;
  readonly requestsPerSample: number;
  readonly dataP50: RatioResult;
  readonly dataP95: RatioResult;
  readonly firstCard: RatioResult;
  /** Navigation start to the big board's first painted cards, median over the pairs, ms. */
  readonly bigFirstCardFromNavigationMs: number;
  /** The big board's first-screen answer and its whole answer (the old contract), bytes; the whole one's median time, ms. */
  readonly bigBoardBytes: { readonly firstScreen: number; readonly whole: number; readonly wholeMs: number };
}

/**
 * B15 (issue 13, big boards): a 50,000-task board against a 500-task board in the same run, on the
 * embedded system in this process (in-process bus, relay and projector) on a PostgreSQL database,
 * both boards seeded by `appendBigBoard` (TaskCreated events appended to the board's stream in
 * batches, projected by the system itself). Per pair: the first screen's data
 * (`GET /boards/:id?tasksPerColumn=100`, p50 and p95 of 20 reads) and one page load in Chromium to
 * the first painted cards, small board first.
 */
export async function benchBigBoard(pairs: number): Promise<BigBoardBench> {
  buildWebIfMissing();
  const database = await createTestDatabase('bench_b15', { max: 1 });
  const sql = createPostgresSql({ connectionString: database.url, max: 8 });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pt-b15-'));
  const system = await startEmbedded({
    config: loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      WEB_ROOT: webRoot,
      RATE_LIMIT_API_PER_MINUTE: '10000000',
      RATE_LIMIT_REGISTER_PER_HOUR: '1000',
      RATE_LIMIT_LOGIN_PER_15_MINUTES: '1000',
      ACCESS_TOKEN_TTL_SECONDS: '7200',
    }),
    sql,
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const { body: session } = await call<Session>(system.url, 'POST', '/auth/register', undefined, {
      email: 'big-board@bench.test',
      password: 'benchmark password',
      name: 'Bench',
    });
    const small = await seedBoard(system, sql, session, smallTasks);
    const big = await seedBoard(system, sql, session, bigTasks);
    const token = session.accessToken;
    // The whole board, as every client read it before column pages: three reads, one after another.
    const wholeReads = [];
    for (let read = 0; read < 3; read++) wholeReads.push(await call(system.url, 'GET', `/boards/${big}`, token));
    const firstScreen = await call(system.url, 'GET', `/boards/${big}?tasksPerColumn=${tasksPerColumn}`, token);
    const data = { small: [] as { p50: number; p95: number }[], big: [] as { p50: number; p95: number }[] };
    const cards = { small: [] as number[], big: [] as number[], bigFromNavigation: [] as number[] };
    for (let pair = 0; pair < pairs; pair++) {
      data.small.push(await firstScreenData(system.url, token, small));
      data.big.push(await firstScreenData(system.url, token, big));
      cards.small.push((await firstCard(browser, system.url, session, small, pair)).boardMs);
      const bigCard = await firstCard(browser, system.url, session, big, pair);
      cards.big.push(bigCard.boardMs);
      cards.bigFromNavigation.push(bigCard.fromNavigationMs);
      log(
        `  B15 pair ${pair + 1}/${pairs}: first-screen data p50/p95 ${data.small.at(-1)?.p50.toFixed(1)}/${data.small.at(-1)?.p95.toFixed(1)} ms (${smallTasks}) vs ${data.big.at(-1)?.p50.toFixed(1)}/${data.big.at(-1)?.p95.toFixed(1)} ms (${bigTasks}); first cards ${cards.small.at(-1)?.toFixed(0)} vs ${cards.big.at(-1)?.toFixed(0)} ms`,
      );
    }
    const label = (tasks: number) => `${tasks.toLocaleString('en')}-task board`;
    const ratio = (name: string, unit: string, baseline: number[], subject: number[], goal: string) =>
      pairedRatio({
        name,
        unit,
        baseline: { label: label(smallTasks), samples: baseline },
        subject: { label: label(bigTasks), samples: subject },
        goal,
      });
    return {
      tasks: { small: smallTasks, big: bigTasks },
      tasksPerColumn,
      requestsPerSample,
      dataP50: ratio(
        'B15 first-screen data p50',
        'ms',
        data.small.map((sample) => sample.p50),
        data.big.map((sample) => sample.p50),
        'flat in board size',
      ),
      dataP95: ratio(
        'B15 first-screen data p95',
        'ms',
        data.small.map((sample) => sample.p95),
        data.big.map((sample) => sample.p95),
        '50,000 tasks: p95 ≤ 300 ms',
      ),
      firstCard: ratio('B15 first cards in Chromium', 'ms', cards.small, cards.big, '50,000 tasks: ≤ 1 s'),
      bigFirstCardFromNavigationMs: median(cards.bigFromNavigation),
      bigBoardBytes: {
        firstScreen: firstScreen.bytes,
        whole: wholeReads[0]?.bytes ?? 0,
        wholeMs: median(wholeReads.map((read) => read.ms)),
      },
    };
  } finally {
    await browser.close();
    await system.close();
    await sql.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
