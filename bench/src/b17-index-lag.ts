import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@primetrade/platform';
import { createOpenSearchIndex, createPgSearchIndex, type SearchIndex } from '@primetrade/read-model';
import { startEmbedded, type EmbeddedSystem } from '@primetrade/server';
import { startOpenSearch, type OpenSearchNode } from '../../infra/opensearch/opensearch.mjs';
import { median, pairedRatio, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';

const ratePerSecond = 10;
const tasksPerSample = 30;
const pollMs = 10;

export interface IndexLagResult {
  readonly ratePerSecond: number;
  readonly tasksPerSample: number;
  /** Per adapter: search lag p50 / read-model lag p50, pair by pair (the same tasks). */
  readonly postgres: RatioResult;
  readonly opensearch: RatioResult;
  /** p95 of the search lag per run, ms. */
  readonly p95: { readonly postgres: number[]; readonly opensearch: number[] };
}

interface System {
  readonly name: 'postgres' | 'opensearch';
  readonly embedded: EmbeddedSystem;
  readonly index: SearchIndex;
  readonly dataDir: string;
  token: string;
  userId: string;
  boardId: string;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

async function call<T>(system: System, method: string, route: string, body: unknown): Promise<T> {
  const response = await fetch(`${system.embedded.url}/api/v1${route}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${system.token}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function startSystem(name: System['name'], searchUrl: string | null): Promise<System> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `pt-b17-${name}-`));
  const prefix = `pt-b17-${randomBytes(4).toString('hex')}`;
  const embedded = await startEmbedded({
    config: loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      WEB_ROOT: '',
      RATE_LIMIT_API_PER_MINUTE: '100000',
      ...(searchUrl ? { SEARCH_URL: searchUrl, SEARCH_INDEX_PREFIX: prefix } : {}),
    }),
  });
  const index = searchUrl ? createOpenSearchIndex({ url: searchUrl, prefix }) : createPgSearchIndex(embedded.sql);
  const system: System = { name, embedded, index, dataDir, token: '', userId: '', boardId: '' };
  const session = await call<{ accessToken: string; user: { id: string } }>(system, 'POST', '/auth/register', {
    email: `b17-${name}@example.test`,
    password: 'correct horse battery',
    name: 'Bench',
  });
  system.token = session.accessToken;
  system.userId = session.user.id;
  system.boardId = (await call<{ board: { id: string } }>(system, 'POST', '/boards', { name: 'Lag' })).board.id;
  return system;
}

/**
 * One run: `tasksPerSample` creations at a fixed rate (open loop), and one poller for all of them
 * (one read-model query and one search per tick, whatever is pending, so the measuring does not
 * load the engine with a search per task): how long after its command answered each task was in
 * the read model, and found by a search (the viewer's newest tasks, as the index answers them).
 */
async function run(system: System): Promise<{ readModel: number[]; search: number[] }> {
  const committed = new Map<string, number>();
  const readModel = new Map<string, number>();
  const search = new Map<string, number>();
  let writing = true;
  const writer = (async () => {
    const started = performance.now();
    for (let n = 0; n < tasksPerSample; n += 1) {
      const due = started + (n * 1000) / ratePerSecond;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      const title = `lag ${randomBytes(6).toString('hex')}`;
      const task = await call<{ id: string }>(system, 'POST', `/boards/${system.boardId}/tasks`, { title });
      committed.set(task.id, performance.now());
    }
    writing = false;
  })();
  const pendingIn = (seen: Map<string, number>) => [...committed.keys()].filter((id) => !seen.has(id));
  const follow = async (seen: Map<string, number>, look: (pending: string[]) => Promise<string[]>) => {
    while (writing || seen.size < committed.size) {
      const pending = pendingIn(seen);
      if (pending.length > 0) {
        const found = await look(pending);
        const now = performance.now();
        for (const id of found) if (committed.has(id) && !seen.has(id)) seen.set(id, now - committed.get(id)!);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };
  // Two pollers side by side, so a slow search does not delay seeing the read model.
  await Promise.all([
    follow(readModel, async (pending) =>
      (
        await system.embedded.sql.query<{ id: string }>('SELECT id FROM tasks WHERE id = ANY($1::uuid[])', [pending])
      ).map((row) => row.id),
    ),
    follow(search, async () =>
      (await system.index.search({ viewerId: system.userId, sort: 'createdAt', limit: 100 })).items.map(
        (hit) => hit.task.id,
      ),
    ),
  ]);
  await writer;
  return { readModel: [...readModel.values()], search: [...search.values()] };
}

/**
 * B17, indexing lag (issue 14, docs/adr/0026-search-projection.md): commit → searchable on the
 * embedded system (PGlite), with the PostgreSQL full-text index and with OpenSearch (`SEARCH_URL`,
 * default 1 s refresh), each against the same tasks' commit → read model in the same run.
 */
export async function benchIndexLag(pairs: number): Promise<IndexLagResult> {
  let node: OpenSearchNode | null = null;
  const systems: System[] = [];
  const nodeDir = await mkdtemp(path.join(tmpdir(), 'pt-b17-os-'));
  try {
    node = await startOpenSearch({ dataDir: path.join(nodeDir, 'node') });
    systems.push(await startSystem('postgres', null), await startSystem('opensearch', node.url));
    const samples = { postgres: { rm: [] as number[], search: [] as number[], p95: [] as number[] } };
    const os = { rm: [] as number[], search: [] as number[], p95: [] as number[] };
    for (let pair = 0; pair < pairs; pair += 1) {
      for (const system of systems) {
        const { readModel, search } = await run(system);
        const into = system.name === 'postgres' ? samples.postgres : os;
        into.rm.push(median(readModel));
        into.search.push(median(search));
        into.p95.push(percentile(search, 95));
        log(
          `  B17 ${system.name} run ${pair + 1}/${pairs}: read model p50 ${median(readModel).toFixed(1)} ms, searchable p50 ${median(search).toFixed(1)} ms, p95 ${percentile(search, 95).toFixed(1)} ms`,
        );
      }
    }
    const ratio = (label: string, from: { rm: number[]; search: number[] }, goal: string) =>
      pairedRatio({
        name: `B17 commit → searchable, ${label} (p50, ms)`,
        unit: 'ms',
        baseline: { label: 'commit → read model', samples: from.rm },
        subject: { label: `commit → searchable (${label})`, samples: from.search },
        goal,
      });
    return {
      ratePerSecond,
      tasksPerSample,
      postgres: ratio('PostgreSQL full text', samples.postgres, 'searchable ≤ 100 ms after the read model'),
      opensearch: ratio('OpenSearch', os, 'searchable ≤ 1.5 s (1 s refresh)'),
      p95: { postgres: samples.postgres.p95, opensearch: os.p95 },
    };
  } finally {
    for (const system of systems) {
      await system.embedded.close();
      await rm(system.dataDir, { recursive: true, force: true });
    }
    await node?.stop();
    await rm(nodeDir, { recursive: true, force: true });
  }
}
