import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql, SqlQueryable } from '@primetrade/platform';
import { readModelBackends, type MigratedDatabase } from '@primetrade/read-model';
import { applyEnvelopes } from './applyBatch.js';
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
  // two scripts, the other projections' sent before the history projection folds, then history,
  // progress and NOTIFY.
  it('sends its reads, then its writes as two scripts — the second with history, progress and NOTIFY', async () => {
    const board = new BoardStream();
    const created = board.create();
    const column = board.addColumn('To do');
    await applyEnvelopes(database.sql, [...created, column]);
    const columnId = (column.data as { columnId: string }).columnId;
    const batch = [board.createTask(columnId), board.createTask(columnId), board.addColumn('Done')];
    const sent: string[] = [];
    expect((await applyEnvelopes(recording(database.sql, sent), batch)).applied).toBe(3);

    const scripts = sent.filter((statement) => statement.startsWith('exec '));
    expect(scripts).toHaveLength(2);
    expect(sent.slice(-2)).toEqual(scripts);
    const [projections, history] = scripts as [string, string];
    for (const write of ['INSERT INTO tasks', 'INSERT INTO board_columns', 'INSERT INTO task_stats'])
      expect(projections).toContain(write);
    expect(projections).not.toContain('board_history');
    for (const write of ['INSERT INTO board_history', 'UPDATE projection_checkpoints', 'pg_notify'])
      expect(history).toContain(write);
    // The read-models lock, the checkpoints, the history anchor (started first: it waits for no
    // write), the statistics (nothing here may notify anyone, so no member accounts are read).
    const reads = sent.filter((statement) => statement.startsWith('query ')).map((read) => read.slice(6, 40));
    expect(reads).toEqual([
      'SELECT pg_advisory_xact_lock_share',
      'INSERT INTO projection_checkpoints',
      'SELECT h.board_id, h.event_id FROM',
      'WITH touched AS (SELECT * FROM tas',
    ]);
  });
});
