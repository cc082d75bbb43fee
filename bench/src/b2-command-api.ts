import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import Koa from 'koa';
import { startEmbedded } from '@primetrade/command-api';
import { createPostgresSql, createSqlEventStore, createTestDatabase, loadConfig } from '@primetrade/platform';
import { closedLoop, interleaved, openLoop, type LatencyResult, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const listen = async (server: http.Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
};

/** B2a: the cost of Koa itself — a no-op Koa app vs bare `node:http`, 16 connections (autocannon). */
export async function benchKoaOverhead(pairs: number): Promise<RatioResult> {
  const bare = http.createServer((_, res) => res.end('ok'));
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = 'ok';
  });
  const handle = app.callback();
  const koa = http.createServer((req, res) => void handle(req, res));
  const [bareUrl, koaUrl] = [await listen(bare), await listen(koa)];
  const rate = async (url: string) => (await autocannon({ url, connections: 16, duration: 2 })).requests.average;
  try {
    return await interleaved({
      name: 'B2 Koa no-op vs node:http (16 connections)',
      unit: 'req/s',
      pairs,
      log,
      baseline: { label: 'node:http', run: () => rate(bareUrl) },
      subject: { label: 'Koa no-op', run: () => rate(koaUrl) },
    });
  } finally {
    bare.close();
    koa.close();
  }
}

export interface CommandBench {
  readonly ratio: RatioResult;
  readonly latency: LatencyResult;
}

/**
 * B2b: a full command over HTTP (auth, validation, decide, append, response; relay and projector
 * running) vs a direct append to the same store, both at 16 concurrent clients on real PostgreSQL.
 * Then the HTTP command at half its measured maximum rate, open loop, for latency percentiles.
 */
export async function benchCommandApi(pairs: number): Promise<CommandBench> {
  const database = await createTestDatabase('bench_b2', { max: 1 });
  const sql = createPostgresSql({ connectionString: database.url, max: 20 });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pt-bench-'));
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    JWT_SECRET: randomUUID() + randomUUID(),
    RATE_LIMIT_API_PER_MINUTE: '100000000',
    WEB_ROOT: '',
  });
  const system = await startEmbedded({ config, sql });
  try {
    const api = async (method: string, route: string, token: string | null, body?: unknown) => {
      const response = await fetch(`${system.url}/api/v1${route}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? null : JSON.stringify(body),
      });
      if (response.status >= 300) throw new Error(`${method} ${route} → ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, unknown>;
    };
    const session = await api('POST', '/auth/register', null, { email: 'bench@example.test', password: 'benchmark password', name: 'Bench' });
    const token = String(session.accessToken);
    const boards: string[] = [];
    for (let n = 0; n < 16; n += 1) {
      const view = (await api('POST', '/boards', token, { name: `Bench ${n}` })) as { board: { id: string } };
      boards.push(view.board.id);
    }
    const createTask = (board: string, n: number) => api('POST', `/boards/${board}/tasks`, token, { title: `Task ${n}` });
    const store = await createSqlEventStore(sql, { pollIntervalMs: 60_000 });
    const metadata = { occurredAt: new Date().toISOString(), actorId: randomUUID(), correlationId: randomUUID(), causationId: null, schemaVersion: 1 };
    const ratio = await interleaved({
      name: 'B2 HTTP command vs direct append (16 clients)',
      unit: 'ops/s',
      pairs,
      goal: '≥ 0.85× direct append',
      log,
      baseline: {
        label: 'store.appendToStream',
        run: () =>
          closedLoop(16, 2000, async (worker) => {
            await store.appendToStream(`direct-${worker}`, [{ id: randomUUID(), type: 'TaskCreated', data: { title: 'x' }, metadata }]);
          }),
      },
      subject: { label: 'POST /boards/:id/tasks', run: () => closedLoop(16, 2000, (worker, i) => createTask(boards[worker]!, i).then(() => undefined)) },
    });
    const rate = Math.max(1, Math.floor(ratio.subject.median / 2));
    log(`  B2 latency: open loop at ${rate} commands/s (half the measured maximum) for 10 s`);
    const latency = await openLoop(rate, 10_000, (i) => createTask(boards[i % boards.length]!, i).then(() => undefined));
    await store.close();
    return { ratio, latency };
  } finally {
    await system.close();
    await sql.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
