import type { Sql } from '@primetrade/platform';
import {
  createMigratedPglite,
  createMigratedPostgres,
  searchTasks,
  seedBoardTasks,
  taskSortKeys,
  type SeededBoard,
  type TaskSearch,
} from '@primetrade/read-model';
import { interleaved, median, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';

const bigBoard = 5_000;
const smallBoard = 50;
const limit = 50;
/** Every sort order in both directions, first page and the next one: 24 pages per round. */
const rounds = 5;

/** The searches of one round on `board`: each sort order and direction, a first page and the page after it. */
async function pageLatencies(sql: Sql, board: SeededBoard): Promise<number[]> {
  const latencies: number[] = [];
  for (const sort of taskSortKeys) {
    for (const order of ['asc', 'desc'] as const) {
      const search: TaskSearch = { viewerId: board.ownerId, boardId: board.boardId, sort, order, limit };
      let start = performance.now();
      const first = await searchTasks(sql, search);
      latencies.push(performance.now() - start);
      if (first.items.length < Math.min(limit, smallBoard - 5)) throw new Error(`B11: a short page for ${sort}`);
      start = performance.now();
      await searchTasks(sql, { ...search, ...(first.nextCursor ? { cursor: first.nextCursor } : {}) });
      latencies.push(performance.now() - start);
    }
  }
  return latencies;
}

/** p50 of `rounds` rounds of pages on one board, ms. */
async function p50(sql: Sql, board: SeededBoard): Promise<number> {
  const latencies: number[] = [];
  for (let round = 0; round < rounds; round += 1) latencies.push(...(await pageLatencies(sql, board)));
  return median(latencies);
}

async function compare(backend: string, sql: Sql, pairs: number): Promise<RatioResult> {
  // Both boards in the same tables, with a third between them: the board id must narrow every page.
  const small = await seedBoardTasks(sql, smallBoard);
  const big = await seedBoardTasks(sql, bigBoard);
  await seedBoardTasks(sql, 500);
  await sql.exec('ANALYZE');
  await p50(sql, big); // warm the caches and the plans of both sides before measuring
  await p50(sql, small);
  return interleaved({
    name: `B11 ${backend}: a page of ${limit} tasks (every sort order, first and next page), p50`,
    unit: 'ms',
    pairs,
    log,
    baseline: { label: `${smallBoard}-task board`, run: () => p50(sql, small) },
    subject: { label: `${bigBoard.toLocaleString('en')}-task board`, run: () => p50(sql, big) },
    goal: '≤ 1.5×',
  });
}

export interface PaginationBench {
  readonly postgres: RatioResult;
  readonly pglite: RatioResult;
}

/**
 * B11: the read model's task pages (`searchTasks`, what `GET /boards/:id/tasks` runs after its
 * membership check) on a 5,000-task board against a 50-task board in the same tables and run, on
 * PostgreSQL and on PGlite. Keyset pages should not care how big the board is.
 */
export async function benchPagination(pairs: number): Promise<PaginationBench> {
  const database = await createMigratedPostgres('bench_b11');
  let postgres: RatioResult;
  try {
    postgres = await compare('PostgreSQL', database.sql, pairs);
  } finally {
    await database.drop();
  }
  const pgliteSql = await createMigratedPglite();
  try {
    return { postgres, pglite: await compare('PGlite', pgliteSql, pairs) };
  } finally {
    await pgliteSql.close();
  }
}
