import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { boardStreamId, type BoardViewDto, type TaskDto } from '@primetrade/domain';
import {
  createLogger,
  createSqlEventStore,
  createTestDatabase,
  toEnvelope,
  type EventStore,
  type TestDatabase,
} from '@primetrade/platform';
import { startCluster, type Cluster } from '../infra/cluster/src/cluster.js';
import type { ServiceProcess } from '../infra/cluster/src/supervisor.js';
import { apiClient } from './kit/api.js';
import { launchChromium, signedInContext } from './kit/browser.js';
import { eventually } from './kit/eventually.js';

/**
 * Cluster mode as consistent as embedded (issue 10), on the real thing: nginx in front of two
 * command-api and two realtime nodes, a relay pair, a projector, Kafka, Redis and PostgreSQL, each
 * service a supervised process. What a person does in a browser must be live at once; many writers
 * on one board must never hear "busy"; a killed service of any kind must come back by itself with
 * nothing acknowledged lost and nothing stored twice.
 */

const logger = createLogger({ level: 'silent' });
const brokers = inject('kafkaBrokers').split(',');

interface Account {
  readonly user: { readonly id: string; readonly name: string; readonly email: string };
  readonly accessToken: string;
  readonly refreshToken: string;
}

const password = 'a long and sturdy passphrase';
/** Waits until the page's connection shows `live`; a timeout says what it showed instead, and the page's text. */
/** What the page shows, for a timeout's message. */
async function shownOn(page: Page): Promise<string> {
  const state = await page
    .getByTestId('connection')
    .getAttribute('data-state', { timeout: 1_000 })
    .catch(() => 'no connection indicator');
  const text = (
    await page
      .locator('body')
      .innerText({ timeout: 1_000 })
      .catch(() => '')
  ).slice(0, 500);
  return `${page.url()}: connection ${state}; the page shows: ${text}`;
}

async function waitLive(page: Page): Promise<void> {
  try {
    await page.locator('[data-testid=connection][data-state=live]').waitFor({ timeout: 20_000 });
  } catch (error) {
    throw new Error(`not live: ${await shownOn(page)}`, { cause: error });
  }
}

/** The board the page just created is open (its name shows). */
async function waitBoardOpen(page: Page): Promise<void> {
  try {
    await page.getByTestId('board-name').waitFor({ timeout: 20_000 });
  } catch (error) {
    throw new Error(`the new board did not open: ${await shownOn(page)}`, { cause: error });
  }
}

/** What a burst of writers got back: the titles the API acknowledged (with their task id) and every other answer. */
interface WriteOutcome {
  readonly acknowledged: Map<string, string>;
  readonly statuses: Map<number, number>;
}

describe('Cluster mode behind nginx, as consistent as embedded', () => {
  let database: TestDatabase;
  let store: EventStore;
  let cluster: Cluster;
  let browser: Browser;
  let owner: Account;
  let writers: Account[];
  const topic = `pt-test-consistency-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase('cluster_consistency');
    store = await createSqlEventStore(database.sql, { logger });
    cluster = await startCluster({
      databaseUrl: database.url,
      kafkaBrokers: brokers,
      redisUrl: 'redis://127.0.0.1:6379',
      topic,
      partitions: 4,
      redisKeyPrefix: `pt:consistency-test:${randomBytes(4).toString('hex')}:`,
      jwtSecret: randomBytes(48).toString('base64url'),
      relayLeaseTtlMs: 2_000,
      proxyPort: 0,
      // Eighteen accounts from one address: the registration limit is for the public, not this test.
      env: { RATE_LIMIT_REGISTER_PER_HOUR: '1000' },
    });
    owner = await register('Olive Owner');
    writers = [];
    for (let n = 0; n < 16; n += 1) writers.push(await register(`Writer ${n}`));
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    await store?.close();
    await database?.drop();
  }, 120_000);

  const api = () => apiClient(cluster.proxy!.url);

  async function register(name: string): Promise<Account> {
    const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${randomBytes(3).toString('hex')}@example.test`;
    const response = await api()<Account>('POST', '/api/v1/auth/register', { body: { email, password, name } });
    if (response.status !== 201)
      throw new Error(`register ${name}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** A browser of its own for `account`: a fresh login, so token rotation in one browser leaves the other alone. */
  async function browserOf(account: Account) {
    const login = await api()<Account>('POST', '/api/v1/auth/login', { body: { email: account.user.email, password } });
    if (login.status !== 200) throw new Error(`login ${account.user.name}: ${login.status}`);
    const context = await signedInContext(browser, login.body);
    context.on('weberror', (error) => pageErrors.push(`${account.user.name}: ${error.error().message}`));
    return context;
  }
  const pageErrors: string[] = [];

  async function boardWithWriters(name: string): Promise<string> {
    const created = await api()<BoardViewDto>('POST', '/api/v1/boards', { token: owner.accessToken, body: { name } });
    expect(created.status).toBe(201);
    const boardId = created.body.board.id;
    for (const writer of writers) {
      const added = await api()('POST', `/api/v1/boards/${boardId}/members`, {
        token: owner.accessToken,
        body: { userId: writer.user.id, role: 'editor' },
      });
      expect(added.status).toBe(201);
    }
    return boardId;
  }

  /** Sixteen people creating `total` tasks on one board as fast as the cluster answers them. */
  async function createTasks(
    boardId: string,
    total: number,
    label: string,
    during?: (done: () => number) => Promise<void>,
  ): Promise<WriteOutcome> {
    const acknowledged = new Map<string, string>();
    const statuses = new Map<number, number>();
    let next = 0;
    let answered = 0;
    const writer = async (account: Account) => {
      for (let n = next++; n < total; n = next++) {
        const title = `${label} ${n}`;
        const response = await api()<TaskDto>('POST', `/api/v1/boards/${boardId}/tasks`, {
          token: account.accessToken,
          body: { title },
        }).catch(() => ({ status: 0, body: null }));
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 201 && response.body) acknowledged.set(title, response.body.id);
        answered += 1;
      }
    };
    await Promise.all([...writers.map(writer), during?.(() => answered)]);
    return { acknowledged, statuses };
  }

  /** Every acknowledged task is in the store exactly once, nothing else appears twice, and the read model shows them all. */
  async function expectStoredOnceAndProjected(boardId: string, outcome: WriteOutcome, label: string): Promise<void> {
    const created = new Map<string, number>();
    let revision = -1;
    for (const stored of await store.readStream(boardStreamId(boardId))) {
      const event = toEnvelope(stored);
      revision = event.revision;
      if (event.type === 'TaskCreated' && event.data.title.startsWith(`${label} `))
        created.set(event.data.title, (created.get(event.data.title) ?? 0) + 1);
    }
    for (const title of outcome.acknowledged.keys()) expect(created.get(title), `"${title}" acknowledged`).toBe(1);
    expect(
      [...created.values()].every((count) => count === 1),
      'no title stored twice',
    ).toBe(true);
    await eventually(
      async () => {
        const rows = await database.sql.query<{ last_revision: string }>(
          'SELECT last_revision FROM projection_checkpoints WHERE board_id = $1',
          [boardId],
        );
        return Number(rows[0]?.last_revision ?? -1) === revision;
      },
      'the read model reached the store',
      90_000,
    );
    const projected = await database.sql.query<{ count: string }>(
      'SELECT count(*) FROM tasks WHERE board_id = $1 AND title LIKE $2',
      [boardId, `${label} %`],
    );
    expect(Number(projected[0]?.count)).toBe(created.size);
  }

  /** SIGKILL, then the supervisor must bring it back by itself (a new process that reports ready). */
  async function killAndAwaitReturn(service: ServiceProcess): Promise<void> {
    const before = service.pid();
    await service.kill();
    await eventually(
      async () => service.running() && service.pid() !== before,
      `${service.name} restarted by the supervisor`,
      60_000,
    );
    await eventually(
      async () => (await fetch(`${service.url()}/readyz`)).status === 200,
      `${service.name} ready again`,
      60_000,
    );
  }

  describe('when a person creates a board in the browser and adds a member', () => {
    it('is live at once for both, twenty times in a row', async () => {
      const member = writers[0]!;
      const ownerContext = await browserOf(owner);
      const memberContext = await browserOf(member);
      const ownerPage = await ownerContext.newPage();
      const memberPage = await memberContext.newPage();
      const base = cluster.proxy!.url;
      try {
        for (let round = 0; round < 20; round += 1) {
          await ownerPage.goto(base);
          await ownerPage.getByLabel('New board name').fill(`Live board ${round}`);
          await ownerPage.getByRole('button', { name: 'Create board' }).click();
          await waitBoardOpen(ownerPage);
          await waitLive(ownerPage);
          const boardId = decodeURIComponent(/#\/boards\/([^/]+)/.exec(ownerPage.url())?.[1] ?? '');
          const added = await api()('POST', `/api/v1/boards/${boardId}/members`, {
            token: owner.accessToken,
            body: { userId: member.user.id, role: 'editor' },
          });
          expect(added.status).toBe(201);
          await memberPage.goto(`${base}/#/boards/${boardId}`);
          await waitLive(memberPage);
          await expectConnectionLive([ownerPage, memberPage], round);
        }
        expect(pageErrors).toEqual([]);
      } finally {
        await ownerContext.close();
        await memberContext.close();
      }
    }, 240_000);
  });

  async function expectConnectionLive(pages: Page[], round: number): Promise<void> {
    for (const page of pages)
      expect(await page.getByTestId('connection').getAttribute('data-state'), `round ${round}`).toBe('live');
  }

  describe('when sixteen people create 5,000 tasks on one board', () => {
    it('never answers "busy": no 409, every task stored once and projected', async () => {
      const boardId = await boardWithWriters('Busy board');
      const outcome = await createTasks(boardId, 5_000, 'bulk');
      expect(Object.fromEntries(outcome.statuses)).toEqual({ 201: 5_000 });
      await expectStoredOnceAndProjected(boardId, outcome, 'bulk');
    }, 300_000);
  });

  describe('when the API node that owns the board is killed under those writes', () => {
    it('moves the board to the other node, loses nothing acknowledged, and the node comes back by itself', async () => {
      const boardId = await boardWithWriters('Owner dies');
      const probe = await api()('GET', `/api/v1/boards/${boardId}`, { token: owner.accessToken });
      const served = probe.headers.get('x-upstream-addr') ?? '';
      const owning = cluster.api.find((node) => new URL(node.url()).host === served);
      expect(
        owning,
        `the board's node (${served}) is one of ${cluster.api.map((node) => node.url()).join(', ')}`,
      ).toBeDefined();
      const outcome = await createTasks(boardId, 2_000, 'failover', async (answered) => {
        await eventually(async () => answered() >= 500, 'load under way');
        await killAndAwaitReturn(owning!);
      });
      // Only requests in flight on the killed node may fail (at most one per writer); none is refused as busy.
      expect(outcome.statuses.get(409) ?? 0).toBe(0);
      expect((outcome.statuses.get(502) ?? 0) + (outcome.statuses.get(0) ?? 0)).toBeLessThanOrEqual(writers.length);
      expect(outcome.acknowledged.size).toBeGreaterThanOrEqual(2_000 - writers.length);
      await expectStoredOnceAndProjected(boardId, outcome, 'failover');
    }, 300_000);
  });

  describe('when each kind of service is killed under load', () => {
    it('comes back by itself, and nothing acknowledged is lost or stored twice', async () => {
      const boardId = await boardWithWriters('Everything dies');
      const victims = [
        cluster.projectors[0]!,
        cluster.relays[0]!,
        cluster.realtime[0]!,
        cluster.api[1]!,
        cluster.search[0]!,
      ];
      const outcome = await createTasks(boardId, 2_500, 'chaos', async (answered) => {
        for (const [index, victim] of victims.entries()) {
          await eventually(async () => answered() >= 300 * (index + 1), `load before killing ${victim.name}`, 60_000);
          await killAndAwaitReturn(victim);
        }
      });
      expect(outcome.statuses.get(409) ?? 0).toBe(0);
      await expectStoredOnceAndProjected(boardId, outcome, 'chaos');
      // The search consumer (PostgreSQL full text here) converges too: every task of the board, once.
      const ids = async (query: string) =>
        (await database.sql.query<{ id: string }>(query, [boardId])).map((row) => row.id).sort();
      await eventually(
        async () =>
          JSON.stringify(await ids('SELECT id FROM search_tasks WHERE board_id = $1')) ===
          JSON.stringify(await ids('SELECT id FROM tasks WHERE board_id = $1')),
        'the search index holds the board’s tasks',
        60_000,
      );
    }, 420_000);
  });
});
