/**
 * The history read model and the snapshots equal the fold of the stream: realistic histories of
 * several boards, projected in random batches (boards interleaved, previous batches delivered again,
 * the in-memory state cache sometimes lost, a batch sometimes rolled back after its boards were folded
 * in place), with a small K so that snapshots are many. Every history
 * row must equal `describeEvent` against the fold before its event, and the board at every revision
 * (nearest snapshot + the rows after it) must equal the fold up to that revision.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { describeEvent, foldBoard, foldStepwise, type Envelope, type HistoryEntryDto } from '@primetrade/domain';
import { boardStreamPrefix } from '@primetrade/domain';
import { createSqlEventStore, toEnvelope, type Sql } from '@primetrade/platform';
import { boardStateAt, historyCoverage, historyRows, readModelBackends } from '@primetrade/read-model';
import { applyEnvelopes } from '../applyBatch.js';
import { foldReadModels } from '../rebuild.js';
import { appendHistories, boardHistories, feedShows } from '../testing/boardHistory.testkit.js';
import { useDatabase } from '../testing/readModels.testkit.js';
import { defaultSnapshotEvery, useHistorySnapshotsEvery } from './history.projection.js';
import { projectEvents } from './index.js';

/** What the history of a board must say: each event described against the fold just before it. */
function expectedHistory(events: readonly Envelope[]): HistoryEntryDto[] {
  const entries: HistoryEntryDto[] = [];
  foldStepwise(events, undefined, (event, before) => {
    const { summary, changes } = describeEvent(event, before);
    const data = event.data as { taskId?: unknown };
    entries.push({
      revision: event.revision,
      occurredAt: event.occurredAt,
      actorId: event.actorId,
      type: event.type,
      taskId: typeof data.taskId === 'string' ? data.taskId : null,
      summary,
      changes,
    });
  });
  return entries;
}

/** The global feed: boards take turns, `chunk` events at a time. */
function interleave(histories: readonly (readonly Envelope[])[], chunk: number): Envelope[] {
  const feed: Envelope[] = [];
  for (let offset = 0; histories.some((history) => offset < history.length); offset += chunk)
    for (const history of histories) feed.push(...history.slice(offset, offset + chunk));
  return feed;
}

async function expectExact(sql: Sql, history: readonly Envelope[], every: number): Promise<void> {
  const boardId = history[0]!.boardId;
  const coverage = await historyCoverage(sql, boardId);
  expect(coverage).toEqual({ head: history.length - 1, complete: true });
  // Byte for byte, key order included: what the route serialises.
  expect(JSON.stringify(await historyRows(sql, boardId, history.length - 1, {}))).toBe(
    JSON.stringify(expectedHistory(history)),
  );
  for (let revision = 0; revision < history.length; revision += 1) {
    const then = await boardStateAt(sql, boardId, revision);
    expect(JSON.stringify(then?.state)).toBe(JSON.stringify(foldBoard(history.slice(0, revision + 1))));
    expect(then?.eventId).toBe(history[revision]!.id);
  }
  const snapshots = await sql.query<{ revision: string }>(
    'SELECT revision FROM board_snapshots WHERE board_id = $1 ORDER BY revision',
    [boardId],
  );
  const due = history.filter((event) => (event.revision + 1) % every === 0).map((event) => event.revision);
  expect(snapshots.map((row) => Number(row.revision))).toEqual(due);
}

describe.each(readModelBackends('history'))('The history read model equals the fold on $name', ({ open }) => {
  let sql: Sql;
  useDatabase(open, (database) => (sql = database));
  afterAll(() => useHistorySnapshotsEvery(defaultSnapshotEvery));

  it('for random histories in random batches, with redeliveries, a lost cache and rolled-back batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.constantFrom('next', 'again', 'forget', 'fail'), { minLength: 1, maxLength: 20 }),
        async (seed, every, sizes, modes) => {
          useHistorySnapshotsEvery(every);
          const histories = boardHistories({ boards: 3, eventsPerBoard: 60, seed });
          const feed = interleave(histories, 7);
          let from = 0;
          let previous = 0;
          for (let i = 0; from < feed.length; i += 1) {
            const to = Math.min(feed.length, from + sizes[i % sizes.length]!);
            const mode = modes[i % modes.length]!;
            // A new projection instance starts with an empty cache: the state comes from the rows.
            if (mode === 'forget') useHistorySnapshotsEvery(every);
            // The history projection folded the cached boards in place, then the batch rolled back.
            if (mode === 'fail')
              await expect(
                applyEnvelopes(sql, feed.slice(from, to), async (tx, events) => {
                  await projectEvents(tx, events);
                  throw new Error('after the fold');
                }),
              ).rejects.toThrow('after the fold');
            await applyEnvelopes(sql, feed.slice(mode === 'again' ? previous : from, to));
            previous = from;
            from = to;
          }
          for (const history of histories) await expectExact(sql, history, every);
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);

  it('leaves a board alone whose earlier events have no rows, and still covers the others of the batch', async () => {
    useHistorySnapshotsEvery(5);
    const [old, fresh] = boardHistories({ boards: 2, eventsPerBoard: 20, seed: 99 }) as [Envelope[], Envelope[]];
    await applyEnvelopes(sql, old.slice(0, 10));
    // As if these ten had been projected before the history read model existed.
    await sql.query('DELETE FROM board_history WHERE board_id = $1', [old[0]!.boardId]);
    await sql.query('DELETE FROM board_snapshots WHERE board_id = $1', [old[0]!.boardId]);
    useHistorySnapshotsEvery(5);
    await applyEnvelopes(sql, [...old.slice(10), ...fresh]);
    expect(await historyCoverage(sql, old[0]!.boardId)).toEqual({ head: old.length - 1, complete: false });
    const [count] = await sql.query<{ n: string }>('SELECT count(*) AS n FROM board_history WHERE board_id = $1', [
      old[0]!.boardId,
    ]);
    expect(Number(count?.n)).toBe(0);
    expect(await boardStateAt(sql, old[0]!.boardId, 12)).toBeNull();
    await expectExact(sql, fresh, 5);
  });

  it('a rebuild writes the same rows and snapshots as the live projection, and a redelivery afterwards adds none', async () => {
    useHistorySnapshotsEvery(3);
    const store = await createSqlEventStore(sql, { schema: 'es_history', pollIntervalMs: 50 });
    try {
      const histories = boardHistories({ boards: 3, eventsPerBoard: 25, seed: 5 });
      const appended = await appendHistories(store, histories, 4);
      await feedShows(store, appended);
      const feed = (await store.readAll({ streamPrefix: boardStreamPrefix })).map(toEnvelope);
      // Earlier tests of this file left other boards in the live tables: the comparison is of these three.
      for (let i = 0; i < feed.length; i += 11) await applyEnvelopes(sql, feed.slice(i, i + 11));
      const fold = await foldReadModels({ sql, store, batchSize: 17 });
      try {
        const boardIds = histories.map((history) => history[0]!.boardId);
        for (const table of ['board_history', 'board_snapshots']) {
          const rows = (schema: string) =>
            sql.query<{ row: string }>(
              `SELECT to_jsonb(t)::text AS row FROM ${schema}.${table} t WHERE board_id = ANY ($1::uuid[]) ORDER BY board_id, revision`,
              [boardIds],
            );
          const live = await rows('public');
          expect(live.length, table).toBeGreaterThan(0);
          expect(await rows(`"${fold.schema}"`), table).toEqual(live);
        }
      } finally {
        await fold.drop();
      }
      expect((await applyEnvelopes(sql, feed)).applied).toBe(0);
      // As the store hands them out (its data comes back with its own key order): what the projector saw.
      for (const history of histories) {
        const stored = feed.filter((event) => event.boardId === history[0]!.boardId);
        await expectExact(sql, stored, 3);
      }
    } finally {
      await store.close();
    }
  });
});
