import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelBackends, type MigratedDatabase } from '../testing/database.testkit.js';
import { seedBoardTasks, type SeededBoard } from '../testing/taskBoard.testkit.js';
import { planOf, type PlanNode } from '../testing/queryPlan.testkit.js';
import { getPagedBoardView, listColumnTasks } from './columnPages.queries.js';

/**
 * The plans behind a big board's first screen and its column pages
 * (docs/adr/0023-big-boards-column-pages.md): every read of `tasks` is a range of
 * `tasks_keyset_column` (migration 010) that stops after the page, never a sort or a scan of the board.
 * Checked on the plans PostgreSQL chooses with statistics of a 10,000-task board, not on times.
 */

/** Every scan of `tasks` is one range of the column index per loop, reading at most `maxRows` per loop. */
function expectColumnIndexScans(nodes: PlanNode[], maxRows: number): void {
  expect(nodes.filter((node) => /Sort/.test(node['Node Type']) && node['Node Type'] !== 'Sort')).toEqual([]);
  const scans = nodes.filter((node) => node['Relation Name'] === 'tasks');
  expect(scans.length).toBeGreaterThan(0);
  for (const scan of scans) {
    expect([scan['Node Type'], scan['Index Name']]).toEqual([expect.stringMatching(/^Index/), 'tasks_keyset_column']);
    expect(scan['Actual Rows'] + (scan['Rows Removed by Filter'] ?? 0)).toBeLessThanOrEqual(maxRows);
  }
  // A sort may only order a page's rows for json_agg, never the board's tasks.
  for (const sort of nodes.filter((node) => node['Node Type'] === 'Sort')) {
    expect(sort['Actual Rows']).toBeLessThanOrEqual(maxRows);
  }
}

describe.each(readModelBackends('column_plans'))('Column page plans on $name', ({ open }) => {
  let database: MigratedDatabase;
  let big: SeededBoard;

  beforeAll(async () => {
    database = await open();
    big = await seedBoardTasks(database.sql, 10_000);
    // Other boards in the same tables, as in production: the board id must narrow the scan.
    await seedBoardTasks(database.sql, 50);
    await seedBoardTasks(database.sql, 2_000);
    await database.sql.exec('ANALYZE');
  }, 120_000);
  afterAll(() => database.drop());

  it("reads the paged board view's tasks as one short range of the column index per column", async () => {
    const nodes = await planOf(database.sql, (sql) => getPagedBoardView(sql, big.boardId, 50));
    expectColumnIndexScans(nodes, 51);
    const view = await getPagedBoardView(database.sql, big.boardId, 50);
    expect(view?.tasks).toHaveLength(250);
    expect(view?.columnPages?.map((page) => page.taskCount).reduce((a, b) => a + b, 0)).toBe(
      (
        await database.sql.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM tasks WHERE board_id = $1 AND NOT archived',
          [big.boardId],
        )
      )[0]?.n,
    );
  });

  it('reads a column page from the middle as a range of the column index, the page only', async () => {
    const columnId = big.columnIds[1]!;
    const half = await listColumnTasks(database.sql, big.boardId, columnId, { limit: 500 });
    const again = await listColumnTasks(database.sql, big.boardId, columnId, { limit: 500, cursor: half!.nextCursor! });
    const cursor = again!.nextCursor!;
    const nodes = await planOf(database.sql, (sql) =>
      listColumnTasks(sql, big.boardId, columnId, { limit: 100, cursor }),
    );
    expectColumnIndexScans(nodes, 101);
    expect(nodes.find((node) => node['Index Name'] === 'tasks_keyset_column')?.['Index Cond']).toMatch(/ROW\(/);
  });
});
