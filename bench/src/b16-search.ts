import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createMigratedPostgres,
  createOpenSearchIndex,
  createPgSearchIndex,
  type SearchBoardChange,
  type SearchIndex,
  type SearchQuery,
} from '@primetrade/read-model';
import { startOpenSearch } from '../../infra/opensearch/opensearch.mjs';
import { median, pairedRatio, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';
import { searchBenchData, searchBenchQueries, type SearchBenchShape } from './lib/searchData.js';

const numberFrom = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
/** Viewers per round: each runs the whole mix once. */
const viewers = 10;
/** Board changes per `apply` call while filling. */
const batch = 50;

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function fill(index: SearchIndex, changes: readonly SearchBoardChange[]): Promise<number> {
  const start = performance.now();
  for (let at = 0; at < changes.length; at += batch) await index.apply(changes.slice(at, at + batch));
  return performance.now() - start;
}

/** One round of the mix on one engine: every viewer's queries, one after another; latencies in ms and totals. */
async function round(index: SearchIndex, mix: readonly SearchQuery[]): Promise<{ ms: number[]; totals: number[] }> {
  const ms: number[] = [];
  const totals: number[] = [];
  for (const query of mix) {
    const start = performance.now();
    const result = await index.search(query);
    ms.push(performance.now() - start);
    totals.push(result.total);
  }
  return { ms, totals };
}

export interface SearchBench {
  readonly shape: SearchBenchShape;
  readonly queriesPerRound: number;
  readonly fillMs: { readonly postgres: number; readonly openSearch: number };
  readonly p95: RatioResult;
  readonly p50: RatioResult;
  /** Median over the rounds of each query class's median latency, ms. */
  readonly byQuery: readonly { name: string; postgres: number; openSearch: number }[];
  /** Queries whose total differed between the engines (same query, same data). */
  readonly disagreements: readonly string[];
}

/**
 * B16 (issue 14): the search port's query on PostgreSQL full text against OpenSearch, same data,
 * same queries, same run. Both indexes are filled through `apply` in batches; each pair runs the
 * fixed mix (bench/src/lib/searchData.ts) for `viewers` users on PostgreSQL, then on OpenSearch,
 * one query at a time, and compares the p95 and p50 of the round.
 */
export async function benchSearch(pairs: number): Promise<SearchBench> {
  const shape: SearchBenchShape = {
    boards: numberFrom('B16_BOARDS', 1_000),
    tasks: numberFrom('B16_TASKS', 100_000),
    // Few enough that OpenSearch's access documents fill in minutes: each membership is a read and a write there.
    users: numberFrom('B16_USERS', 100),
    membershipsPerUser: [10, 50],
  };
  const data = searchBenchData(shape);
  const mixOf = data.users
    .slice(0, viewers)
    .flatMap((user) =>
      searchBenchQueries(user, data.boardsOf.get(user) ?? []).map((item) => ({ ...item, viewer: user })),
    );
  const mix = mixOf.map((item) => item.query);
  const database = await createMigratedPostgres('bench_b16');
  const nodeDir = await mkdtemp(path.join(tmpdir(), 'pt-b16-'));
  const node = await startOpenSearch({ dataDir: path.join(nodeDir, 'node') });
  log(`  B16 OpenSearch node on ${node.url} (pid ${node.pid})`);
  try {
    const postgres = createPgSearchIndex(database.sql);
    const openSearch = createOpenSearchIndex({ url: node.url, prefix: 'bench-b16', requestTimeoutMs: 60_000 });
    await openSearch.ensureCreated();
    const changes = [...data.memberships, ...data.tasks];
    const fillMs = { postgres: await fill(postgres, changes), openSearch: await fill(openSearch, changes) };
    await fetch(`${node.url}/_refresh`, { method: 'POST' });
    await database.sql.exec('ANALYZE');
    log(
      `  B16 filled ${shape.tasks} tasks on ${shape.boards} boards: PostgreSQL ${(fillMs.postgres / 1000).toFixed(1)} s, OpenSearch ${(fillMs.openSearch / 1000).toFixed(1)} s`,
    );

    // Warm both (plans, caches, the JIT) and compare the answers' totals once.
    const [pgWarm, osWarm] = [await round(postgres, mix), await round(openSearch, mix)];
    const disagreements = mixOf.flatMap((item, at) =>
      pgWarm.totals[at] === osWarm.totals[at]
        ? []
        : [`${item.name}: PostgreSQL ${pgWarm.totals[at]}, OpenSearch ${osWarm.totals[at]}`],
    );
    const samples = {
      p95: { pg: [] as number[], os: [] as number[] },
      p50: { pg: [] as number[], os: [] as number[] },
    };
    const perQuery = { pg: [] as number[][], os: [] as number[][] };
    for (let pair = 0; pair < pairs; pair += 1) {
      const pg = await round(postgres, mix);
      const os = await round(openSearch, mix);
      samples.p95.pg.push(percentile(pg.ms, 95));
      samples.p95.os.push(percentile(os.ms, 95));
      samples.p50.pg.push(percentile(pg.ms, 50));
      samples.p50.os.push(percentile(os.ms, 50));
      perQuery.pg.push(pg.ms);
      perQuery.os.push(os.ms);
      log(
        `  B16 pair ${pair + 1}/${pairs}: p95 PostgreSQL ${samples.p95.pg.at(-1)!.toFixed(1)} ms, OpenSearch ${samples.p95.os.at(-1)!.toFixed(1)} ms`,
      );
    }
    const names = [...new Set(mixOf.map((item) => item.name))];
    const classMedian = (rounds: number[][], name: string) =>
      median(rounds.map((ms) => median(ms.filter((_, at) => mixOf[at]!.name === name))));
    const ratio = (label: 'p95' | 'p50') =>
      pairedRatio({
        name: `B16 search ${label}, ${mix.length} queries per round (${shape.tasks.toLocaleString('en')} tasks, ${shape.boards.toLocaleString('en')} boards)`,
        unit: 'ms',
        baseline: { label: 'PostgreSQL full text', samples: samples[label].pg },
        subject: { label: 'OpenSearch', samples: samples[label].os },
      });
    return {
      shape,
      queriesPerRound: mix.length,
      fillMs,
      p95: ratio('p95'),
      p50: ratio('p50'),
      byQuery: names.map((name) => ({
        name,
        postgres: classMedian(perQuery.pg, name),
        openSearch: classMedian(perQuery.os, name),
      })),
      disagreements,
    };
  } finally {
    await node.destroy();
    await rm(nodeDir, { recursive: true, force: true });
    await database.drop();
  }
}
