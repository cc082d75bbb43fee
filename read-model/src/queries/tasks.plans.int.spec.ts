import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlQueryable } from '@primetrade/platform';
import { readModelBackends, type MigratedDatabase } from '../testing/database.testkit.js';
import { seedBoardTasks, type SeededBoard } from '../testing/taskBoard.testkit.js';
import { planOf as planOfRead, type PlanNode } from '../testing/queryPlan.testkit.js';
import { searchTasks, taskSortKeys, type TaskSearch, type TaskSortKey } from './tasks.queries.js';

/**
 * The plans behind a board's task pages (migration 010): each sort order is a range scan of its own
 * index that stops after the page, never a sort of the board. Checked on the plans PostgreSQL
 * chooses with statistics of a 5,000-task board, not on times.
 */

const indexOf: Record<TaskSortKey, (order: 'asc' | 'desc') => string> = {
  position: () => 'tasks_keyset_position',
  createdAt: () => 'tasks_keyset_created',
  updatedAt: () => 'tasks_keyset_updated',
  dueDate: (order) => `tasks_keyset_due_${order}`,
  priority: () => 'tasks_keyset_priority',
  title: () => 'tasks_keyset_title',
};

/** The plan of the statement `searchTasks` sends for `search`. */
const planOf = (sql: SqlQueryable, search: TaskSearch): Promise<PlanNode[]> =>
  planOfRead(sql, (recording) => searchTasks(recording, search));

const limit = 50;

describe.each(readModelBackends('task_plans'))('Task page plans on $name', ({ open }) => {
  let database: MigratedDatabase;
  let big: SeededBoard;

  beforeAll(async () => {
    database = await open();
    big = await seedBoardTasks(database.sql, 5_000);
    // Other boards in the same tables, as in production: the board id must narrow the scan.
    await seedBoardTasks(database.sql, 50);
    await seedBoardTasks(database.sql, 2_000);
    await database.sql.exec('ANALYZE');
  });
  afterAll(() => database.drop());

  const boardSearch = (sort: TaskSortKey, order: 'asc' | 'desc', more: Partial<TaskSearch> = {}): TaskSearch => ({
    viewerId: big.ownerId,
    boardId: big.boardId,
    sort,
    order,
    limit,
    ...more,
  });

  /** The cursor after the board's first half in this order: a page from the middle. */
  async function middleCursor(sort: TaskSortKey, order: 'asc' | 'desc'): Promise<string> {
    const half = await searchTasks(database.sql, boardSearch(sort, order, { limit: 2_375 }));
    if (!half.nextCursor) throw new Error('no middle');
    return half.nextCursor;
  }

  function expectKeysetScan(nodes: PlanNode[], index: string, maxRowsRead: number): void {
    expect(nodes.filter((node) => /Sort/.test(node['Node Type'])).map((node) => node['Node Type'])).toEqual([]);
    const scans = nodes.filter((node) => node['Relation Name'] === 'tasks');
    expect(scans.map((node) => [node['Node Type'], node['Index Name']])).toEqual([
      [expect.stringMatching(/^Index/), index],
    ]);
    const [scan] = scans;
    expect(scan!['Actual Rows'] + (scan!['Rows Removed by Filter'] ?? 0)).toBeLessThanOrEqual(maxRowsRead);
  }

  for (const sort of taskSortKeys) {
    for (const order of ['asc', 'desc'] as const) {
      it(`reads the first page by ${sort} ${order} from its index, the page's rows only`, async () => {
        expectKeysetScan(await planOf(database.sql, boardSearch(sort, order)), indexOf[sort](order), limit + 1);
      });

      it(`reads a page from the middle by ${sort} ${order} as a range of its index`, async () => {
        const cursor = await middleCursor(sort, order);
        const nodes = await planOf(database.sql, boardSearch(sort, order, { cursor }));
        expectKeysetScan(nodes, indexOf[sort](order), limit + 1);
        const scan = nodes.find((node) => node['Relation Name'] === 'tasks');
        expect(scan?.['Index Cond']).toMatch(/ROW\(/);
      });

      it(`keeps the ${sort} ${order} scan for open tasks and one priority (filtered while scanning)`, async () => {
        const index = indexOf[sort](order);
        // One task in four is completed, one in four has a given priority: the scan reads about 4/3 and 4 pages.
        expectKeysetScan(await planOf(database.sql, boardSearch(sort, order, { status: 'open' })), index, 2 * limit);
        const urgent = boardSearch(sort, order, { priority: 'urgent', cursor: await middleCursor(sort, order) });
        expectKeysetScan(await planOf(database.sql, urgent), index, 6 * limit);
      });

      it(`keeps the ${sort} ${order} scan for one assignee and one label`, async () => {
        const index = indexOf[sort](order);
        const mine = boardSearch(sort, order, { assigneeId: big.assigneeIds[1]! });
        expectKeysetScan(await planOf(database.sql, mine), index, 6 * limit);
        const labelled = boardSearch(sort, order, { label: 'label-4', cursor: await middleCursor(sort, order) });
        expectKeysetScan(await planOf(database.sql, labelled), index, 9 * limit);
      });
    }
  }

  it("reads one column's tasks in position order from the column's index", async () => {
    for (const order of ['asc', 'desc'] as const) {
      const columnId = big.columnIds[2]!;
      const first = await planOf(database.sql, boardSearch('position', order, { columnId }));
      expectKeysetScan(first, 'tasks_keyset_column', limit + 1);
      const next = await searchTasks(database.sql, boardSearch('position', order, { columnId }));
      const nodes = await planOf(database.sql, boardSearch('position', order, { columnId, cursor: next.nextCursor! }));
      expectKeysetScan(nodes, 'tasks_keyset_column', limit + 1);
    }
  });
});
