import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardEventTypes, boardStreamPrefix, type Envelope } from '@primetrade/domain';
import { createSqlEventStore, type EventStore, type Sql, type StoredEvent } from '@primetrade/platform';
import { compareReadModels, readModelBackends } from '@primetrade/read-model';
import { defaultSnapshotEvery, useHistorySnapshotsEvery } from '../projections/history.projection.js';
import { foldReadModels } from '../rebuild.js';
import { BoardStream } from '../testing/boardEvents.testkit.js';
import { appendHistories, boardHistories, feedShows } from '../testing/boardHistory.testkit.js';
import { waitFor } from '../testing/wait.testkit.js';
import { openBulkFeed } from './bulkFeed.js';
import { liveProjectionSchema } from '../testing/liveProjection.testkit.js';

const backends = readModelBackends('bulk_rebuild');

/** A board with the event types the simulated histories leave out (valid by the domain's rules). */
function rareEvents(): Envelope[] {
  const stream = new BoardStream();
  const viewer = randomUUID();
  const todo = randomUUID();
  const spare = randomUUID();
  const events: Envelope[] = [
    ...stream.create('Rare events', 'every kind the simulation leaves out'),
    stream.addMember(viewer, 'viewer'),
    stream.addColumn('To do', { id: todo, position: 'a' }),
    stream.addColumn('Spare', { id: spare, position: 'b', isDone: true, wipLimit: 2 }),
  ];
  const first = stream.createTask(todo, { title: 'first', position: 'm', assigneeIds: [stream.ownerId] });
  const second = stream.createTask(todo, { title: 'second', position: 'n', labels: ['x'] });
  events.push(first, second);
  const [a, b] = [first.data.taskId, second.data.taskId];
  events.push(
    stream.emit({ type: 'TaskCompleted', data: { taskId: a } }),
    stream.emit({ type: 'TaskReopened', data: { taskId: a } }),
    stream.emit({ type: 'TaskArchived', data: { taskId: b } }),
    stream.emit({ type: 'TaskRestored', data: { taskId: b } }),
    stream.emit({
      type: 'ColumnPositionsRebalanced',
      data: {
        columnId: todo,
        positions: [
          { taskId: a, position: 'g' },
          { taskId: b, position: 't' },
        ],
      },
    }),
    stream.emit({ type: 'MemberRemoved', data: { userId: viewer } }),
    stream.emit({ type: 'ColumnRemoved', data: { columnId: spare } }),
    stream.emit({ type: 'BoardArchived', data: {} }),
    stream.emit({ type: 'BoardRestored', data: {} }),
    stream.emit({ type: 'TaskCompleted', data: { taskId: b } }),
  );
  const commentId = randomUUID();
  const added = stream.emit({ type: 'CommentAdded', data: { taskId: a, commentId, body: 'kept, then back' } });
  events.push(
    added,
    stream.emit({ type: 'CommentDeleted', data: { taskId: a, commentId } }),
    stream.emit({
      type: 'CommentReinstated',
      data: {
        taskId: a,
        commentId,
        comment: {
          id: commentId,
          authorId: added.actorId,
          body: 'kept, then back',
          createdAt: added.occurredAt,
          editedAt: null,
        },
      },
    }),
  );
  return events;
}

/**
 * The store whose `feedEnd` answers once it reaches `newest()`. A transaction of another database
 * that ends while the horizon is computed holds the horizon back for that one read (it still counts
 * as open; docs/architecture.md), so one read may stop short with nothing in flight here: these
 * tests want the end of a store at rest.
 */
function atRest(store: EventStore, newest: () => string): EventStore {
  const bulk = store.bulk!;
  const feedEnd = async (prefix: string) => {
    let end: string | null = null;
    await waitFor(
      async () => (end = await bulk.feedEnd(prefix)) === newest(),
      'the feed end to reach the newest event',
    );
    return end;
  };
  return { ...store, bulk: { ...bulk, feedEnd } };
}

/** The store at rest, counting its bulk reads and feed reads. */
function counted(store: EventStore, newest: () => string) {
  const counts = { bulk: 0, readAll: 0 };
  const bulk = atRest(store, newest).bulk!;
  const wrapped: EventStore = {
    ...store,
    readAll: (options) => {
      counts.readAll += 1;
      return store.readAll(options);
    },
    bulk: {
      feedEnd: (prefix) => bulk.feedEnd(prefix),
      readByStream: (options) => {
        counts.bulk += 1;
        return bulk.readByStream(options);
      },
    },
  };
  return { store: wrapped, counts };
}

describe.each(backends)('The bulk rebuild on $name (ADR 0031)', ({ open }) => {
  let sql: Sql;
  let store: EventStore;
  let drop: () => Promise<void>;
  let stored: StoredEvent[];
  const newest = () => stored.at(-1)!.position;
  const snapshotEvery = 40;

  beforeAll(async () => {
    const database = await open();
    sql = database.sql;
    store = await createSqlEventStore(sql, { schema: 'es_bulk', pollIntervalMs: 50 });
    drop = async () => {
      await store.close();
      await database.drop();
    };
    // Boards of ~55 to ~300 events, interleaved in the feed; one with every rare event type.
    const histories = [
      ...boardHistories({ boards: 6, eventsPerBoard: 48, seed: 31 }),
      ...boardHistories({ boards: 2, eventsPerBoard: 290, seed: 37 }),
      rareEvents(),
    ];
    await feedShows(store, await appendHistories(store, histories, 9));
    stored = await store.readAll({ streamPrefix: boardStreamPrefix });
    useHistorySnapshotsEvery(snapshotEvery);
  });
  afterAll(async () => {
    useHistorySnapshotsEvery(defaultSnapshotEvery);
    await drop();
  });

  it('covers every board event type', () => {
    expect(new Set(stored.map((event) => event.type))).toEqual(new Set(boardEventTypes));
  });

  it('reads every event up to a fixed end, board by board, in chunks of whole boards that two in flight never share', async () => {
    const chunkSize = 100;
    const feed = await openBulkFeed(atRest(store, newest).bulk!, boardStreamPrefix, chunkSize);
    expect(feed.end).toBe(stored.at(-1)!.position);
    const chunks: StoredEvent[][] = [];
    for await (const chunk of feed.chunks()) chunks.push(chunk);
    const all = chunks.flat();
    expect(all.map((event) => event.id).sort()).toEqual(stored.map((event) => event.id).sort());
    const byBoard = new Map<string, StoredEvent[]>();
    for (const event of all) byBoard.set(event.streamId, [...(byBoard.get(event.streamId) ?? []), event]);
    for (const events of byBoard.values())
      expect(events.map((event) => Number(event.revision))).toEqual(events.map((_, index) => index));
    for (const [index, chunk] of chunks.entries()) {
      expect(chunk.length).toBeLessThan(2 * chunkSize);
      const next = chunks[index + 1];
      if (!next) continue;
      const shared = new Set(chunk.map((event) => event.streamId).filter((id) => next.some((e) => e.streamId === id)));
      // Only a board longer than a chunk continues in the next one, and then it is alone in this one.
      if (shared.size > 0) expect(new Set(chunk.map((event) => event.streamId))).toEqual(shared);
    }
    // The long boards (~300 events) went in parts.
    expect(chunks.some((chunk) => chunk.length === chunkSize && new Set(chunk.map((e) => e.streamId)).size === 1)).toBe(
      true,
    );
  });

  it('ends at the fixed end even when events are appended while it reads', async () => {
    const feed = await openBulkFeed(atRest(store, newest).bulk!, boardStreamPrefix, 200);
    const extra = new BoardStream();
    const reading = feed.chunks();
    const first = await reading.next();
    const appended = await createSqlEventStore(sql, { schema: 'es_bulk' });
    await appendHistories(appended, [[...extra.create('Late')]]);
    let count = (first.value as StoredEvent[]).length;
    for await (const chunk of reading) count += chunk.length;
    expect(count).toBe(stored.length);
    await appended.close();
    // The late board stays: the folds below include it.
    await feedShows(store, stored.length + 2);
    stored = await store.readAll({ streamPrefix: boardStreamPrefix });
  });

  it.each([
    { chunkSize: 100, label: 'boards longer than a chunk' },
    { chunkSize: 10_000, label: 'the whole store in one chunk' },
  ])('folds into tables equal row by row to the live projection ($label)', async ({ chunkSize }) => {
    const expected = await liveProjectionSchema(sql, store);
    const { store: reading, counts } = counted(store, newest);
    const fold = await foldReadModels({ sql, store: reading, chunkSize });
    try {
      expect(counts.bulk).toBeGreaterThan(0);
      expect(fold.events).toBe(stored.length);
      expect(fold.position).toBe(stored.at(-1)!.position);
      expect(await compareReadModels({ sql, schema: fold.schema }, { sql, schema: expected })).toEqual([]);
      const [snapshots] = await sql.query<{ count: string }>(
        `SELECT count(*) AS count FROM ${fold.schema}.board_snapshots`,
      );
      expect(Number(snapshots?.count)).toBeGreaterThan(10);
    } finally {
      await fold.drop();
      await sql.exec(`DROP SCHEMA ${expected} CASCADE`);
    }
  });

  it('equals the replay in feed order (bulk: false)', async () => {
    const bulk = await foldReadModels({ sql, store: atRest(store, newest), chunkSize: 150 });
    const { store: reading, counts } = counted(store, newest);
    const replay = await foldReadModels({ sql, store: reading, bulk: false, batchSize: 120 });
    try {
      expect(counts.bulk).toBe(0);
      expect(await compareReadModels({ sql, schema: bulk.schema }, { sql, schema: replay.schema })).toEqual([]);
    } finally {
      await bulk.drop();
      await replay.drop();
    }
  });
});
