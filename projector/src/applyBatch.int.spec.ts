import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql, SqlQueryable } from '@primetrade/platform';
import { readModelBackends, type MigratedDatabase } from '@primetrade/read-model';
import { applyEnvelopes, lockReadModelsShared } from './applyBatch.js';
import { BoardStream } from './testing/boardEvents.testkit.js';

/** `sql` whose transactions record each statement they send (scripts as `exec`). */
function recording(sql: Sql, sent: string[]): Sql {
  const recorded = (tx: SqlQueryable): SqlQueryable => ({
    query: (text, params) => {
      sent.push(`query ${text.replace(/\s+/g, ' ').trim()}`);
      return tx.query(text, params);
    },
    exec: (text) => {
      sent.push(`exec ${text}`);
      return tx.exec(text);
    },
    copyFrom: (table, columns, rows) => {
      sent.push(`copy ${table} ${rows.split('\n').length - 1} rows`);
      return tx.copyFrom(table, columns, rows);
    },
  });
  return { ...sql, tx: (fn) => sql.tx((tx) => fn(recorded(tx))) };
}

describe.each(readModelBackends('applybatch'))('a live batch on $name', ({ open }) => {
  let database: MigratedDatabase;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(() => database.drop());

  // docs/adr/0019-set-based-projector.md: the reads first, then the writes as scripts; ADR 0032:
  // the other projections' script sent before the history projection folds, then its rows by COPY
  // (ADR 0037) and a script with the snapshots and NOTIFY. ADR 0040: the statements whose plans are
  // kept (the fixed reads, the statistics' write, the progress) go as prepared statements of their own.
  it('sends its reads, then its writes: the statistics, a script, the history rows by COPY, the progress and a script with NOTIFY', async () => {
    const board = new BoardStream();
    const created = board.create();
    const column = board.addColumn('To do');
    await applyEnvelopes(database.sql, [...created, column]);
    const columnId = (column.data as { columnId: string }).columnId;
    const batch = [board.createTask(columnId), board.createTask(columnId), board.addColumn('Done')];
    const sent: string[] = [];
    expect((await applyEnvelopes(recording(database.sql, sent), batch)).applied).toBe(3);

    const [lock, ...scripts] = sent.filter((statement) => statement.startsWith('exec '));
    // The read-models lock and the plan settings first, in one round trip (ADR 0037, ADR 0040).
    expect(sent[0]).toBe(lock);
    expect(lock).toMatch(
      /^exec SELECT pg_advisory_xact_lock_shared\(\d+\); SET LOCAL enable_seqscan = off;\s+SET LOCAL plan_cache_mode = force_generic_plan$/,
    );
    expect(scripts).toHaveLength(2);
    const [projections, notify] = scripts as [string, string];
    const progress = sent.at(-2)!;
    expect(sent.slice(-4)).toEqual([projections, 'copy board_history 3 rows', progress, notify]);
    for (const write of ['INSERT INTO tasks', 'INSERT INTO board_columns']) expect(projections).toContain(write);
    for (const elsewhere of ['board_history', 'task_stats']) expect(projections).not.toContain(elsewhere);
    expect(progress).toMatch(/^query WITH v AS .* UPDATE projection_checkpoints/);
    expect(notify).toContain('pg_notify');
    // The checkpoints, the history anchor (started first: it waits for no write), the statistics
    // (nothing here may notify anyone, so no member accounts are read), then the statistics' write.
    const queries = sent.filter((statement) => statement.startsWith('query ')).map((read) => read.slice(6, 40));
    expect(queries).toEqual([
      'INSERT INTO projection_checkpoints',
      'SELECT h.board_id, h.event_id FROM',
      'WITH touched AS (SELECT * FROM tas',
      'WITH task_rows AS ( INSERT INTO ta',
      'WITH v AS ( SELECT * FROM unnest($',
    ]);
  });

  // ADR 0037: a batch reaches its rows by key even where the statistics say the table is small.
  it('keeps its plans off sequential scans, for its own transaction only', async () => {
    const { sql } = database;
    await sql.exec(`CREATE TABLE stale_keys (id uuid PRIMARY KEY, body text) WITH (autovacuum_enabled = false);
      INSERT INTO stale_keys SELECT gen_random_uuid(), repeat('x', 200) FROM generate_series(1, 5000)`);
    try {
      const ids = (await sql.query<{ id: string }>('SELECT id FROM stale_keys LIMIT 300')).map((row) => row.id);
      const plan = async (tx: SqlQueryable) => {
        const rows = await tx.query<Record<string, string>>(
          `EXPLAIN UPDATE stale_keys AS t SET body = x.body
           FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, body text) WHERE t.id = x.id`,
          [JSON.stringify(ids.map((id) => ({ id, body: 'y' })))],
        );
        return rows.map((row) => Object.values(row)[0]).join('\n');
      };
      // What a batch would otherwise get: the whole table scanned for 300 keys.
      expect(await plan(sql)).toContain('Seq Scan on stale_keys');
      const inBatch = await sql.tx(async (tx) => {
        await lockReadModelsShared(tx);
        return plan(tx);
      });
      expect(inBatch).not.toContain('Seq Scan');
      expect(inBatch).toContain('Index Scan using stale_keys_pkey');
      expect(await plan(sql)).toContain('Seq Scan on stale_keys');
    } finally {
      await sql.exec('DROP TABLE stale_keys');
    }
  });
});
