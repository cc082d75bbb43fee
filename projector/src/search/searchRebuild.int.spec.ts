import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { boardStreamId, type BoardEvent } from '@primetrade/domain';
import {
  createInProcessEventBus,
  createSqlEventStore,
  createTestDatabase,
  toEventToAppend,
  type EventBus,
  type EventStore,
  type TestDatabase,
} from '@primetrade/platform';
import { createOpenSearchIndex, runMigrations, type OpenSearchIndex } from '@primetrade/read-model';
import { createProjector, type Projector } from '../projector.js';
import { createRelay, type Relay } from '../relay.js';
import { indexedTasksOf, readModelTasksOf } from '../testing/searchConvergence.testkit.js';
import { SearchWorkload } from '../testing/searchWorkload.testkit.js';
import { createEmbeddedSearchFeed } from './embeddedSearchFeed.js';
import { rebuildSearchIndex } from './searchRebuild.js';
import type { SearchProjection } from './searchProjection.js';

// The node of tests/kit/opensearch.globalSetup.ts; this suite has its own index prefix.
const url = inject('openSearchUrl');
const until = (assertions: () => Promise<void>, timeout: number) => vi.waitFor(assertions, { timeout, interval: 250 });

describe('Rebuilding the OpenSearch index while writes go on', () => {
  let database: TestDatabase;
  let store: EventStore;
  let bus: EventBus;
  let projector: Projector;
  let relay: Relay;
  let feed: SearchProjection;
  let live: OpenSearchIndex;

  beforeAll(async () => {
    if (!url) throw new Error('No OpenSearch node: set OPENSEARCH_TEST_URL or run infra/opensearch (its fetch step)');
    database = await createTestDatabase('search_rebuild', { max: 8 });
    await runMigrations(database.sql);
    store = await createSqlEventStore(database.sql, { pollIntervalMs: 20 });
    bus = createInProcessEventBus();
    projector = createProjector({ bus, sql: database.sql });
    await projector.start();
    relay = createRelay({ store, bus, sql: database.sql });
    await relay.start();
    live = createOpenSearchIndex({ url, prefix: `pt-test-rebuild-${randomBytes(4).toString('hex')}`, refresh: true });
    await live.ensureCreated();
    feed = createEmbeddedSearchFeed({ store, sql: database.sql, index: live, backoffMs: [50, 500] });
    await feed.start();
  }, 60_000);

  afterAll(async () => {
    await feed?.stop();
    await relay?.stop();
    await projector?.stop();
    await bus?.close();
    await store?.close();
    await live?.dropAll();
    await database?.drop();
  });

  const append = async (boardId: string, events: readonly BoardEvent[]) => {
    const context = {
      occurredAt: new Date().toISOString(),
      actorId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
    };
    await store.appendToStream(
      boardStreamId(boardId),
      events.map((event) => toEventToAppend(event, randomUUID(), context)),
    );
  };
  const lastRevision = async (boardId: string) => (await store.readStream(boardStreamId(boardId))).length - 1;

  it('switches to the new generation with every task of every board, none missing, none twice', async () => {
    const boards = Array.from({ length: 4 }, () => new SearchWorkload());
    for (const work of boards) await append(work.boardId, work.opening());
    for (let round = 0; round < 4; round += 1) for (const work of boards) await append(work.boardId, work.next());

    // Writes all through the rebuild, and a member leaving one board meanwhile.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const work = boards[written % boards.length]!;
        await append(work.boardId, written === 9 ? work.memberLeaves() : work.next());
        written += 1;
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    const result = await rebuildSearchIndex({ live, store, sql: database.sql, pollMs: 100 });
    const writtenAtSwitch = written;
    await until(async () => expect(written).toBeGreaterThan(writtenAtSwitch + 10), 20_000);
    writing = false;
    await writer;

    expect(result).toMatchObject({ generation: 2, boards: 4 });
    expect([...result.deleted].sort()).toEqual(
      [live.names.access, live.names.boards, live.names.tasks].map((name) => `${name}-g1`).sort(),
    );
    expect(writtenAtSwitch).toBeGreaterThan(0);
    for (const work of boards)
      await until(
        async () => expect(await live.boardRevision(work.boardId)).toBe(await lastRevision(work.boardId)),
        20_000,
      );
    for (const work of boards) {
      for (const user of [work.ownerId, work.memberId])
        expect(await indexedTasksOf(live, user)).toEqual(await readModelTasksOf(database.sql, user));
    }
    expect(await indexedTasksOf(live, boards[1]!.memberId)).toEqual([]);
    const gone = await fetch(`${url}/${live.names.tasks}-g1`);
    expect(gone.status).toBe(404);
  }, 120_000);
});
