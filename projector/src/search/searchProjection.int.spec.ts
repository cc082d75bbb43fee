import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardStreamId, type BoardEvent } from '@primetrade/domain';
import {
  createInProcessEventBus,
  createSqlEventStore,
  toEventToAppend,
  type EventBus,
  type EventStore,
  type Sql,
} from '@primetrade/platform';
import { createMigratedPglite, createPgSearchIndex } from '@primetrade/read-model';
import { createProjector, type Projector } from '../projector.js';
import { createRelay, type Relay } from '../relay.js';
import { indexedTasksOf, readModelTasksOf } from '../testing/searchConvergence.testkit.js';
import { waitFor } from '../testing/wait.testkit.js';
import { createEmbeddedSearchFeed } from './embeddedSearchFeed.js';
import { SearchWorkload, switchableIndex } from '../testing/searchWorkload.testkit.js';
import type { SearchProjection } from './searchProjection.js';

let sql: Sql;
let store: EventStore;
let bus: EventBus;
let projector: Projector;
let relay: Relay;

async function append(boardId: string, events: readonly BoardEvent[]): Promise<void> {
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
}

async function projectedRevision(boardId: string): Promise<number> {
  const rows = await sql.query<{ last_revision: string }>(
    'SELECT last_revision FROM projection_checkpoints WHERE board_id = $1',
    [boardId],
  );
  return rows[0] ? Number(rows[0].last_revision) : -1;
}

beforeAll(async () => {
  sql = await createMigratedPglite();
  store = await createSqlEventStore(sql, { pollIntervalMs: 20 });
  bus = createInProcessEventBus();
  projector = createProjector({ bus, sql });
  await projector.start();
  relay = createRelay({ store, bus, sql });
  await relay.start();
});
afterAll(async () => {
  await relay.stop();
  await projector.stop();
  await bus.close();
  await store.close();
  await sql.close();
});

describe('The search projection (embedded: its own relay checkpoint, PostgreSQL full text)', () => {
  const index = switchableIndex(createPgSearchIndex(createLazySql()));
  let feed: SearchProjection;
  const work = new SearchWorkload();

  function createLazySql(): Sql {
    // The index is built before `beforeAll` opened the database: forward to it once it exists.
    return new Proxy({} as Sql, { get: (_, key) => Reflect.get(sql, key as keyof Sql) });
  }

  const converged = async () => {
    const revision = await store.readStream(boardStreamId(work.boardId)).then((events) => events.length - 1);
    return (await index.boardRevision(work.boardId)) === revision;
  };

  it('indexes whole tasks with their comments, for the board’s members only', async () => {
    feed = createEmbeddedSearchFeed({ store, sql, index, backoffMs: [20, 200], breakerResetMs: 200 });
    await feed.start();
    await append(work.boardId, work.opening());
    for (let n = 0; n < 12; n += 1) await append(work.boardId, work.next());
    await waitFor(converged, 'the index reached the stream’s last revision');
    expect(await indexedTasksOf(index, work.memberId)).toEqual(await readModelTasksOf(sql, work.memberId));
    expect((await indexedTasksOf(index, work.ownerId)).length).toBeGreaterThan(5);
    expect(await indexedTasksOf(index, randomUUID())).toEqual([]);
    const byComment = await index.search({ viewerId: work.ownerId, text: 'narwhal', limit: 10 });
    expect(byComment.total).toBeGreaterThan(0);
  });

  it('keeps its checkpoint while the index refuses writes, and catches up with nothing missing', async () => {
    index.down = true;
    const before = await index.boardRevision(work.boardId);
    for (let n = 0; n < 10; n += 1) await append(work.boardId, work.next());
    await append(work.boardId, work.memberLeaves());
    // The read models go on: only the search feed waits.
    const last = (await store.readStream(boardStreamId(work.boardId))).length - 1;
    await waitFor(async () => (await projectedRevision(work.boardId)) === last, 'read models projected');
    await waitFor(() => index.failedWrites >= 3, 'the feed kept retrying');
    expect(feed.status()).toMatchObject({ state: 'retrying' });
    expect(await index.boardRevision(work.boardId)).toBe(before);

    index.down = false;
    await waitFor(converged, 'the index caught up', 20_000);
    expect(feed.status()).toMatchObject({ state: 'running', failuresInARow: 0 });
    expect(await indexedTasksOf(index, work.ownerId)).toEqual(await readModelTasksOf(sql, work.ownerId));
    // The member left: they find nothing any more.
    expect(await indexedTasksOf(index, work.memberId)).toEqual([]);
  });

  it('replays from its checkpoint after a restart without changing anything', async () => {
    await feed.stop();
    const before = await indexedTasksOf(index, work.ownerId);
    await sql.query("DELETE FROM checkpoints WHERE name = 'search'");
    feed = createEmbeddedSearchFeed({ store, sql, index });
    await feed.start();
    await append(work.boardId, work.next());
    await waitFor(converged, 'the replay reached the new event');
    const after = await indexedTasksOf(index, work.ownerId);
    expect(after).toEqual(await readModelTasksOf(sql, work.ownerId));
    expect(after.length).toBe(before.length + 1);
  });

  it('halts on a board the index lost, rather than skip, and heals by a replay', async () => {
    await sql.query('DELETE FROM search_tasks WHERE board_id = $1', [work.boardId]);
    await sql.query('DELETE FROM search_boards WHERE board_id = $1', [work.boardId]);
    await append(work.boardId, work.next());
    await waitFor(() => feed.status().state === 'retrying', 'the feed refused the gap');
    expect(feed.status().lastError).toMatch(/the index holds revision -1, the batch starts at/);
    expect(await index.boardRevision(work.boardId)).toBeNull();

    await feed.stop();
    await sql.query("DELETE FROM checkpoints WHERE name = 'search'");
    feed = createEmbeddedSearchFeed({ store, sql, index, backoffMs: [20, 200] });
    await feed.start();
    await waitFor(converged, 'the replay refilled the board');
    expect(await indexedTasksOf(index, work.ownerId)).toEqual(await readModelTasksOf(sql, work.ownerId));
    await feed.stop();
  });
});
