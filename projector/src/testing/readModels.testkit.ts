import { afterAll, beforeAll, expect } from 'vitest';
import type { Envelope } from '@primetrade/domain';
import type { Sql } from '@primetrade/platform';
import { applyEnvelopes } from '../applyBatch.js';

/** The rows of one board in each read model, in a stable order, with plain JSON values. */
const tableQueries = {
  boards: `SELECT id, name, description, archived, created_by, created_at, updated_at, revision
           FROM boards WHERE id = $1`,
  board_members: `SELECT user_id, role, added_at FROM board_members WHERE board_id = $1 ORDER BY user_id`,
  board_columns: `SELECT id, name, position, is_done, wip_limit FROM board_columns WHERE board_id = $1 ORDER BY position, id`,
  tasks: `SELECT id, column_id, position, title, description, priority, due_date, assignee_ids::text[] AS assignee_ids,
                 labels, status, archived, created_by, created_at, updated_at, completed_at, revision
          FROM tasks WHERE board_id = $1 ORDER BY id`,
  comments: `SELECT id, task_id, author_id, body, created_at, edited_at FROM comments WHERE board_id = $1 ORDER BY id`,
  projection_checkpoints: 'SELECT last_revision FROM projection_checkpoints WHERE board_id = $1',
  task_stats: `SELECT task_id, column_id, archived, deleted, status, created_at, completed_at, cycle_started_at
               FROM task_stats WHERE board_id = $1 ORDER BY task_id`,
  column_flow: `SELECT column_id, to_char(day, 'YYYY-MM-DD') AS day, tasks FROM column_flow WHERE board_id = $1 ORDER BY day, column_id`,
  wip_breaches: `SELECT column_id, started_at, ended_at, wip_limit, peak_tasks FROM wip_breaches WHERE board_id = $1
                 ORDER BY started_at, column_id`,
} as const;

export type ReadModelTable = keyof typeof tableQueries;
export type Row = Record<string, unknown>;

const plain = (value: unknown): unknown => {
  if (value instanceof Date) return value.toISOString();
  return value;
};

export async function readRows(sql: Sql, table: ReadModelTable, boardId: string): Promise<Row[]> {
  const rows = await sql.query<Row>(tableQueries[table], [boardId]);
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        key === 'revision' || key === 'last_revision' ? Number(value) : plain(value),
      ]),
    ),
  );
}

export async function readBoard(sql: Sql, boardId: string): Promise<Record<ReadModelTable, Row[]>> {
  const tables = Object.keys(tableQueries) as ReadModelTable[];
  const rows = await Promise.all(tables.map((table) => readRows(sql, table, boardId)));
  return Object.fromEntries(tables.map((table, index) => [table, rows[index]])) as Record<ReadModelTable, Row[]>;
}

/**
 * `given(events).when(events).then(table, rows)` for projections. `then` checks the rows (each
 * expected row may list only the columns it is about; the row count is exact), then delivers the
 * whole history again and proves the guard skips all of it and leaves every read model unchanged.
 */
export function projectionSpec(sql: Sql) {
  return {
    given: (...given: readonly Envelope[]) => ({
      when: (...when: readonly Envelope[]) => ({
        async then(table: ReadModelTable, expected: readonly Row[]): Promise<void> {
          const boardId = (when[0] ?? given[0])?.boardId;
          if (!boardId) throw new Error('projectionSpec needs at least one event');
          await applyEnvelopes(sql, given);
          await applyEnvelopes(sql, when);
          expect(await readRows(sql, table, boardId)).toEqual(
            expected.map((row): unknown => expect.objectContaining(row)),
          );

          const before = await readBoard(sql, boardId);
          const again = await applyEnvelopes(sql, [...given, ...when]);
          expect(again).toEqual({ applied: 0, skipped: given.length + when.length, notifications: [] });
          expect(await readBoard(sql, boardId)).toEqual(before);
        },
      }),
    }),
  };
}

/**
 * The suite's own database: opened before its tests (`onOpen` receives it), dropped after them.
 * Call at the top of a `describe`.
 */
export function useDatabase(
  open: () => Promise<{ readonly sql: Sql; drop(): Promise<void> }>,
  onOpen: (sql: Sql) => void,
): void {
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await open();
    onOpen(database.sql);
    drop = () => database.drop();
  });
  afterAll(() => drop?.());
}
