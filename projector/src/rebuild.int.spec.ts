import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardStreamId, boardStreamPrefix, type Envelope } from '@primetrade/domain';
import {
  createInProcessEventBus,
  createSqlEventStore,
  toEnvelope,
  toEventToAppend,
  type EventStore,
  type Sql,
} from '@primetrade/platform';
import { applyEnvelopes, readModelsLockKey } from './applyBatch.js';
import { loadCheckpoint, saveNextCheckpoint } from './checkpoints.js';
import { createProjector } from './projector.js';
import {
  readModelDdl,
  compareReadModels,
  readModelRows,
  createMigratedPostgres,
  readModelBackends,
} from '@primetrade/read-model';
import { foldReadModels, rebuildReadModels, RebuildError, type RebuildProgress } from './rebuild.js';
import { createRelay } from './relay.js';
import { inlineParameters } from './sqlScript.js';
import { BoardStream } from './testing/boardEvents.testkit.js';
import { appendHistories, boardHistories, feedShows } from './testing/boardHistory.testkit.js';
import { waitFor } from './testing/wait.testkit.js';
import { liveProjectionSchema } from './testing/liveProjection.testkit.js';

const backends = readModelBackends('rebuild');

/** The live path, as relay and projector run it: the store's feed in small batches through `applyEnvelopes`. */
async function projectLive(
  sql: Sql,
  store: EventStore,
  after: string | null = null,
  batch = 37,
): Promise<string | null> {
  for (let position = after; ;) {
    const stored = await store.readAll({ after: position, streamPrefix: boardStreamPrefix, maxCount: batch });
    const last = stored[stored.length - 1];
    if (!last) return position;
    await applyEnvelopes(sql, stored.map(toEnvelope));
    position = last.position;
  }
}

const rebuildSchemas = (sql: Sql) =>
  sql.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'read_models_%' ORDER BY 1");

const liveIndexes = (sql: Sql) =>
  sql.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");

describe.each(backends)('Rebuilding the read models on $name', ({ open }) => {
  let sql: Sql;
  let store: EventStore;
  let drop: () => Promise<void>;
  const live = (database: Sql) => ({ sql: database, schema: 'public' });

  beforeAll(async () => {
    const database = await open();
    sql = database.sql;
    store = await createSqlEventStore(sql, { schema: 'es_rebuild', pollIntervalMs: 50 });
    drop = async () => {
      await store.close();
      await database.drop();
    };
    await feedShows(
      store,
      await appendHistories(store, boardHistories({ boards: 12, eventsPerBoard: 70, seed: 7 }), 15),
    );
    await projectLive(sql, store);
  });
  afterAll(() => drop());

  it('inlines parameters as literals PostgreSQL reads exactly like bind parameters', async () => {
    const cases: [unknown, string][] = [
      ["O'Brien \\ \"q\" $1 E'\\x41' ''", 'text'],
      ['Überprüfung 🚀\n\t', 'text'],
      ['', 'text'],
      [null, 'text'],
      [42, 'bigint'],
      [true, 'boolean'],
      ['2026-03-01T10:00:00.123Z', 'timestamptz'],
      [['a"b', "c'd", 'e\\f', '{x,y}', null], 'text[]'],
      [[randomUUID(), randomUUID()], 'uuid[]'],
      [[], 'uuid[]'],
      [{ title: "it's \\ $2" }, 'jsonb'],
    ];
    for (const [value, type] of cases) {
      const text = `SELECT $1::${type} AS value`;
      const [bound] = await sql.query(text, [value]);
      const [inlined] = await sql.query(inlineParameters(text, [value]));
      expect(inlined, JSON.stringify(value)).toEqual(bound);
    }
    expect(() => inlineParameters('SELECT $2', ['only one'])).toThrow(RangeError);
  });

  it.each([
    { path: 'board by board', bulk: true },
    { path: 'in feed order', bulk: false },
  ])(
    'replaces corrupted read models with the fold of the store ($path), equal row by row to a fresh projection',
    async ({ bulk }) => {
      const userId = randomUUID();
      await sql.query(
        "INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, $2, 'Ann', 'hash', 'user')",
        [userId, `${userId}@example.test`],
      );
      await sql.query(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $1, $3, now() + interval '1 day')",
        [randomUUID(), userId, randomUUID()],
      );
      await saveNextCheckpoint(sql, { name: 'relay', position: 'position-before-rebuild' });
      const accountsBefore = await sql.query(
        'SELECT u.*, t.token_hash, u.tableoid FROM users u JOIN refresh_tokens t ON t.user_id = u.id',
      );
      const indexesBefore = await liveIndexes(sql);
      const expected = await liveProjectionSchema(sql, store);
      expect(await compareReadModels(live(sql), { sql, schema: expected })).toEqual([]);

      await sql.exec(`DELETE FROM tasks WHERE id IN (SELECT id FROM tasks ORDER BY id LIMIT 5);
                    UPDATE boards SET name = 'garbage' WHERE id = (SELECT id FROM boards ORDER BY id LIMIT 1);
                    DELETE FROM comments WHERE id IN (SELECT id FROM comments ORDER BY id LIMIT 3);
                    DELETE FROM board_members WHERE role = 'viewer';
                    UPDATE projection_checkpoints SET last_revision = last_revision - 3 WHERE board_id = (SELECT id FROM boards ORDER BY id LIMIT 1)`);
      const damage = await compareReadModels(live(sql), { sql, schema: expected });
      expect(damage.map((difference) => difference.table).sort()).toEqual([
        'board_members',
        'boards',
        'comments',
        'projection_checkpoints',
        'tasks',
      ]);

      const progress: RebuildProgress[] = [];
      const result = await rebuildReadModels({
        sql,
        store,
        bulk,
        batchSize: 200,
        chunkSize: 200,
        onProgress: (step) => void progress.push(step),
      });

      expect(await compareReadModels(live(sql), { sql, schema: expected })).toEqual([]);
      const stored = await store.readAll({ streamPrefix: boardStreamPrefix });
      expect(result).toMatchObject({ events: stored.length, boards: 12 });
      expect(result.eventsPerSecond).toBeGreaterThan(0);
      const replaying = progress.filter((step) => step.phase === 'replaying').map((step) => step.events);
      if (bulk) {
        // Chunks of whole boards (ADR 0031): each under twice the chunk size, the last at the store's end.
        expect(replaying.length).toBeGreaterThan(2);
        replaying.forEach((events, index) => {
          expect(events - (replaying[index - 1] ?? 0)).toBeGreaterThan(0);
          expect(events - (replaying[index - 1] ?? 0)).toBeLessThan(400);
        });
        expect(replaying.at(-1)).toBe(stored.length);
      } else {
        expect(replaying).toEqual(replaying.map((_, index) => Math.min(stored.length, (index + 1) * 200)));
      }
      expect(progress.at(-1)).toEqual({ phase: 'switching', events: stored.length, position: stored.at(-1)?.position });
      expect(await liveIndexes(sql)).toEqual(indexesBefore);
      expect(
        await sql.query('SELECT u.*, t.token_hash, u.tableoid FROM users u JOIN refresh_tokens t ON t.user_id = u.id'),
      ).toEqual(accountsBefore);
      expect(await loadCheckpoint(sql, 'relay')).toBe('position-before-rebuild');
      expect(await rebuildSchemas(sql)).toEqual([]);

      // The swapped checkpoints guard the live projector: redeliveries are skipped, the next revision applies.
      expect(await applyEnvelopes(sql, stored.map(toEnvelope))).toEqual({
        applied: 0,
        skipped: stored.length,
        notifications: [],
      });
      await sql.exec(`DROP SCHEMA ${expected} CASCADE`);
    },
  );

  it('loses nothing and applies nothing twice while relay and projector keep applying new events', async () => {
    const bus = createInProcessEventBus();
    const projector = createProjector({ bus, sql });
    await projector.start();
    // The relay starts from the beginning: its first batches are all redeliveries of projected events.
    const relay = createRelay({ store, bus, sql, checkpointName: `relay-${randomUUID()}`, batchSize: 25 });
    await relay.start();
    const liveProgress = async () => {
      const [row] = await sql.query<{ sum: string | null }>(
        'SELECT sum(last_revision + 1) AS sum FROM projection_checkpoints',
      );
      return Number(row?.sum ?? 0);
    };
    const before = await liveProgress();
    const writer = appendHistories(store, boardHistories({ boards: 6, eventsPerBoard: 60, seed: 11 }), 3);
    let appliedDuringRebuild = 0;
    let held = false;
    const result = await rebuildReadModels({
      sql,
      store,
      batchSize: 60,
      chunkSize: 60,
      async onProgress(step) {
        // Hold the rebuild until the projector has applied some of the new events, so they interleave.
        if (step.phase === 'replaying' && !held) {
          held = true;
          await waitFor(async () => (await liveProgress()) > before, 'the projector to apply new events');
        }
        if (step.phase === 'switching' && appliedDuringRebuild === 0)
          appliedDuringRebuild = (await liveProgress()) - before;
      },
    });
    await writer;
    expect(appliedDuringRebuild).toBeGreaterThan(0);
    expect(result.boards).toBeGreaterThanOrEqual(12);

    const caughtUp = async () => {
      const rows = await sql.query<{ board_id: string; last_revision: string }>(
        'SELECT board_id, last_revision FROM projection_checkpoints',
      );
      if (rows.length !== 18) return false;
      for (const row of rows) {
        if (BigInt(row.last_revision) !== (await store.streamRevision(boardStreamId(row.board_id)))) return false;
      }
      return true;
    };
    await waitFor(caughtUp, 'the projector to apply every event of the store', 30_000);
    expect(projector.status().state).toBe('running');
    await relay.stop();
    await projector.stop();
    await bus.close();

    const expected = await liveProjectionSchema(sql, store);
    expect(await compareReadModels(live(sql), { sql, schema: expected })).toEqual([]);
    await sql.exec(`DROP SCHEMA ${expected} CASCADE`);
  });

  it('keeps an event the projector applies between "caught up" and the switch (the switch catches up again)', async () => {
    const boardId = (await sql.query<{ id: string }>('SELECT id FROM boards ORDER BY id LIMIT 1'))[0]!.id;
    const phases: RebuildProgress['phase'][] = [];
    let interloper: Envelope | null = null;
    await rebuildReadModels({
      sql,
      store,
      async onProgress(step) {
        phases.push(step.phase);
        if (step.phase !== 'switching' || interloper) return;
        // Appended and projected (and acknowledged: no bus will bring it again) after the replay read its last batch.
        const streamId = boardStreamId(boardId);
        const revision = await store.streamRevision(streamId);
        const event = { type: 'BoardRenamed' as const, data: { name: 'Renamed just before the switch' } };
        const context = {
          occurredAt: new Date().toISOString(),
          actorId: randomUUID(),
          correlationId: randomUUID(),
          causationId: null,
        };
        const appended = await store.appendToStream(streamId, [toEventToAppend(event, randomUUID(), context)], {
          expectedRevision: revision ?? 'no_stream',
        });
        const [stored] = await store.readStream(streamId, { fromRevision: appended.nextExpectedRevision });
        // The projector gets only what the relay read from the feed: wait until the feed shows it.
        const inFeed = async () =>
          (await store.readAll({ after: step.position, streamPrefix: boardStreamPrefix })).some(
            (event) => event.id === stored?.id,
          );
        await waitFor(inFeed, 'the feed to show the appended event', 30_000);
        interloper = toEnvelope(stored!);
        expect(await applyEnvelopes(sql, [interloper])).toEqual({ applied: 1, skipped: 0, notifications: [] });
      },
    });
    expect(phases.filter((phase) => phase === 'switching')).toHaveLength(2);
    const [board] = await sql.query<{ name: string; revision: string }>(
      'SELECT name, revision FROM boards WHERE id = $1',
      [boardId],
    );
    expect(board).toEqual({ name: 'Renamed just before the switch', revision: String(interloper!.revision) });
    const expected = await liveProjectionSchema(sql, store);
    expect(await compareReadModels(live(sql), { sql, schema: expected })).toEqual([]);
    await sql.exec(`DROP SCHEMA ${expected} CASCADE`);
  });

  it('folds into a schema of its own for a check, leaving the live tables alone', async () => {
    const before = await readModelRows(live(sql));
    const fold = await foldReadModels({ sql, store, batchSize: 500 });
    expect(await compareReadModels(live(sql), { sql, schema: fold.schema })).toEqual([]);
    await fold.drop();
    expect(await rebuildSchemas(sql)).toEqual([]);
    expect(await readModelRows(live(sql))).toEqual(before);
  });

  it('refuses to switch when the live read models hold revisions the store does not, and changes nothing', async () => {
    await sql.exec(
      'UPDATE projection_checkpoints SET last_revision = last_revision + 5 WHERE board_id = (SELECT id FROM boards ORDER BY id LIMIT 1)',
    );
    const before = await readModelRows(live(sql));
    const error = await rebuildReadModels({ sql, store }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RebuildError);
    expect(error).toMatchObject({ code: 'REBUILD.LIVE_AHEAD' });
    expect(await readModelRows(live(sql))).toEqual(before);
    expect(await rebuildSchemas(sql)).toEqual([]);
    await sql.exec(
      'UPDATE projection_checkpoints SET last_revision = last_revision - 5 WHERE board_id = (SELECT id FROM boards ORDER BY id LIMIT 1)',
    );
  });

  it('stops on an event it cannot project, leaving the live read models and no schema behind', async () => {
    const broken = await createSqlEventStore(sql, { schema: `es_broken_${randomBytes(3).toString('hex')}` });
    try {
      await appendHistories(broken, boardHistories({ boards: 2, eventsPerBoard: 5, seed: 3 }));
      await broken.appendToStream(boardStreamId(randomUUID()), [
        {
          id: randomUUID(),
          type: 'BoardTeleported',
          data: {},
          metadata: {
            occurredAt: new Date().toISOString(),
            actorId: randomUUID(),
            correlationId: randomUUID(),
            causationId: null,
          },
        },
      ]);
      const before = await readModelRows(live(sql));
      await expect(rebuildReadModels({ sql, store: broken })).rejects.toMatchObject({
        name: 'UnknownEventTypeError',
        type: 'BoardTeleported',
      });
      expect(await readModelRows(live(sql))).toEqual(before);
      expect(await rebuildSchemas(sql)).toEqual([]);
    } finally {
      await broken.close();
    }
  });
});

describe('The read-model DDL a rebuild runs', () => {
  it('comes from the migrations without accounts, keeps feed positions out of the swap and builds most indexes last', async () => {
    const ddl = await readModelDdl();
    expect(ddl.tables).toEqual([
      'boards',
      'board_members',
      'board_columns',
      'tasks',
      'comments',
      'projection_checkpoints',
      'task_stats',
      'column_flow',
      'wip_breaches',
      'column_counts',
      'board_history',
      'board_snapshots',
    ]);
    expect(ddl.setup.join('\n')).not.toMatch(/users|refresh_tokens|idempotency_keys/);
    expect(ddl.setup.some((statement) => statement.startsWith('CREATE TABLE checkpoints'))).toBe(true);
    const deferred = ddl.deferredIndexes.map((statement) => /^CREATE INDEX (\w+)/.exec(statement)?.[1]);
    expect(deferred).toContain('tasks_search');
    expect(deferred).toContain('tasks_keyset_title');
    // Dropped by a later migration (010): never built in the fresh schema.
    expect(deferred).not.toContain('tasks_board_title');
    expect(ddl.setup.join('\n')).not.toMatch(/DROP INDEX/);
    // TaskDeleted cascades to comments by task_id while replaying: that index is there from the start.
    expect(deferred).not.toContain('comments_task');
    expect(ddl.setup.some((statement) => statement.startsWith('CREATE INDEX comments_task'))).toBe(true);
    // Statistics keep counters (no recount while replaying): their index is built last like the others.
    expect(deferred).toContain('task_stats_board_column');
    // The open-breach upsert needs its unique index during the replay.
    expect(ddl.setup.some((statement) => statement.startsWith('CREATE UNIQUE INDEX wip_breaches_open'))).toBe(true);
  });
});

describe('The switch-over lock on PostgreSQL', () => {
  it('holds projector batches back while a switch holds it, and lets them apply after', async () => {
    const database = await createMigratedPostgres('rebuild_lock');
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      const { sql } = database;
      let locked: () => void = () => undefined;
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const switching = sql.tx(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [readModelsLockKey]);
        locked();
        await released;
      });
      await isLocked;
      let applied = false;
      const batch = applyEnvelopes(sql, new BoardStream().create()).then((result) => {
        applied = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(applied).toBe(false);
      release();
      await switching;
      expect(await batch).toEqual({ applied: 2, skipped: 0, notifications: [] });
    } finally {
      release();
      await database.drop();
    }
  });
});
