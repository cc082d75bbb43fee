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
import { median, pairedRatio, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';

const bigBoard = 5_000;
const smallBoard = 50;
const limit = 50;
/** Every sort order in both directions, first page and the next one: 24 pages per board and round. */
const rounds = 5;

/** The pages of one round: each sort order and direction, a first page and the page after it. */
const searches = (board: SeededBoard): TaskSearch[] =>
  taskSortKeys.flatMap((sort) =>
    (['asc', 'desc'] as const).map((order) => ({
      viewerId: board.ownerId,
      boardId: board.boardId,
      sort,
      order,
      limit,
    })),
  );

async function timedPages(sql: Sql, search: TaskSearch): Promise<[number, number]> {
  let start = performance.now();
  const first = await searchTasks(sql, search);
  const firstMs = performance.now() - start;
  if (first.items.length < Math.min(limit, smallBoard - 5)) throw new Error(`B11: a short page for ${search.sort}`);
  start = performance.now();
  await searchTasks(sql, { ...search, ...(first.nextCursor ? { cursor: first.nextCursor } : {}) });
  return [firstMs, performance.now() - start];
}

/**
 * One pair: the same page on the small and the big board one right after the other, for every page
 * of `rounds` rounds, so both sides see the same load on a shared machine; the p50 of each side, ms.
 */
async function pair(sql: Sql, small: SeededBoard, big: SeededBoard): Promise<{ small: number; big: number }> {
  const latencies = { small: [] as number[], big: [] as number[] };
  for (let round = 0; round < rounds; round += 1) {
    const bigSearches = searches(big);
    for (const [index, search] of searches(small).entries()) {
      latencies.small.push(...(await timedPages(sql, search)));
      latencies.big.push(...(await timedPages(sql, bigSearches[index]!)));
    }
  }
  return { small: median(latencies.small), big: median(latencies.big) };
}

async function compare(backend: string, sql: Sql, pairs: number): Promise<RatioResult> {
  // Both boards in the same tables, with a third between them: the board id must narrow every page.
  const small = await seedBoardTasks(sql, smallBoard);
  const big = await seedBoardTasks(sql, bigBoard);
  await seedBoardTasks(sql, 500);
  await sql.exec('ANALYZE');
  await pair(sql, small, big); // warm the caches and the plans of both sides before measuring
  const samples = { small: [] as number[], big: [] as number[] };
  const name = `B11 ${backend}: a page of ${limit} tasks (every sort order, first and next page), p50`;
  for (let index = 0; index < pairs; index += 1) {
    const { small: s, big: b } = await pair(sql, small, big);
    samples.small.push(s);
    samples.big.push(b);
    log(
      `  ${name} pair ${index + 1}/${pairs}: ${smallBoard} tasks ${s.toFixed(2)} ms, ${bigBoard} tasks ${b.toFixed(2)} ms, ratio ${(b / s).toFixed(3)}`,
    );
  }
  return pairedRatio({
    name,
    unit: 'ms',
    baseline: { label: `${smallBoard}-task board`, samples: samples.small },
    subject: { label: `${bigBoard.toLocaleString('en')}-task board`, samples: samples.big },
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
 * PostgreSQL and on PGlite, request by request in turns. Keyset pages should not care how big the board is.
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
