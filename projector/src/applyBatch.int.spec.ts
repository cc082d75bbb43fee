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

  // docs/adr/0019-set-based-projector.md: the reads first, then every write in one script.
  it('sends its reads, then all its writes — history, progress and NOTIFY included — as one script', async () => {
    const board = new BoardStream();
    const created = board.create();
    const column = board.addColumn('To do');
    await applyEnvelopes(database.sql, [...created, column]);
    const columnId = (column.data as { columnId: string }).columnId;
    const batch = [board.createTask(columnId), board.createTask(columnId), board.addColumn('Done')];
    const sent: string[] = [];
    expect((await applyEnvelopes(recording(database.sql, sent), batch)).applied).toBe(3);

    const scripts = sent.filter((statement) => statement.startsWith('exec '));
    expect(scripts).toHaveLength(1);
    expect(sent.at(-1)).toBe(scripts[0]);
    for (const write of [
      'INSERT INTO tasks',
      'INSERT INTO board_history',
      'UPDATE projection_checkpoints',
      'pg_notify',
    ])
      expect(scripts[0]).toContain(write);
    // The read-models lock, the checkpoints, the statistics, the history anchor (nothing here may
    // notify anyone, so no member accounts are read).
    const reads = sent.filter((statement) => statement.startsWith('query ')).map((read) => read.slice(6, 40));
    expect(reads).toEqual([
      'SELECT pg_advisory_xact_lock_share',
      'INSERT INTO projection_checkpoints',
      'WITH touched AS (SELECT * FROM tas',
      'SELECT h.board_id, h.event_id FROM',
    ]);
  });
});
