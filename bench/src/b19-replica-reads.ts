import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import autocannon from 'autocannon';
import { boardStreamPrefix } from '@primetrade/domain';
import {
  createPostgresSql,
  createSqlEventStore,
  createTestPostgresPair,
  toEnvelope,
  type Sql,
} from '@primetrade/platform';
import { applyEnvelopes } from '@primetrade/projector';
import { searchTasks, type TaskSearch } from '@primetrade/read-model';
import { closedLoop, interleaved, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';
import { benchUserWithBoards, jsonClient, startCommandNode } from './b2-command-api.js';

const tasks = 300;
const connections = 16;
const seconds = 3;

export interface ReplicaReadsBench {
  /** Over HTTP: a node whose reads go to the replica against one reading the primary. */
  readonly http: RatioResult;
  /** The same page's query (`searchTasks`) straight on each server's pool: the servers alone. */
  readonly direct: RatioResult;
  readonly path: string;
  readonly connections: number;
  readonly secondsPerSample: number;
  /** The routed node's `/readyz` after the run: which server answered how many reads. */
  readonly served: string;
  /** One-minute load average before and after, and the machine's cores. */
  readonly load: { readonly cores: number; readonly before: number; readonly after: number };
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`B19: ${what} not in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The projector's work for the board, as B8 does it: the store's events into the read models. */
async function project(databaseUrl: string): Promise<void> {
  const sql = createPostgresSql({ connectionString: databaseUrl, max: 2 });
  const store = await createSqlEventStore(sql, { pollIntervalMs: 60_000 });
  try {
    let after: string | null = null;
    for (;;) {
      const batch = await store.readAll({ after, streamPrefix: boardStreamPrefix, maxCount: 1_000 });
      if (batch.length === 0) return;
      await applyEnvelopes(sql, batch.map(toEnvelope));
      after = batch.at(-1)?.position ?? after;
    }
  } finally {
    await store.close();
    await sql.close();
  }
}

/** The page's query alone, 8 at a time, on the primary's and the replica's pools in turns. */
async function directQueries(primaryUrl: string, replicaUrl: string, search: TaskSearch, pairs: number) {
  const primary = createPostgresSql({ connectionString: primaryUrl, max: 8 });
  const replica = createPostgresSql({ connectionString: replicaUrl, max: 8 });
  const rate = (sql: Sql) => closedLoop(8, 2_000, async () => void (await searchTasks(sql, search)));
  try {
    await rate(primary);
    await rate(replica);
    return await interleaved({
      name: 'B19 the page query alone (searchTasks, 8 at a time): replica vs primary',
      unit: 'queries/s',
      pairs,
      log,
      baseline: { label: 'primary', run: () => rate(primary) },
      subject: { label: 'replica', run: () => rate(replica) },
      goal: '≈ 1×',
    });
  } finally {
    await primary.close();
    await replica.close();
  }
}

const readiness = async (url: string) => (await (await fetch(`${url}/readyz`)).text()) || '';

/**
 * B19: read throughput of one command-api node reading the primary against one reading a
 * streaming replica of it (docs/adr/0029-read-replicas.md), the same page of a 300-task board
 * (`GET /boards/:id/tasks?limit=50`), 16 connections, closed loop, interleaved. Both servers run
 * on this machine: a replica here adds no CPU, so the ratio shows the routing's cost (the read
 * gate's pick, the scope, a second pool), not the capacity a replica on its own machine adds.
 */
export async function benchReplicaReads(pairs: number): Promise<ReplicaReadsBench> {
  const pair = await createTestPostgresPair();
  const children: ChildProcess[] = [];
  const sql = createPostgresSql({ connectionString: pair.primaryUrl(), max: 2 });
  try {
    await sql.exec('CREATE DATABASE bench_b19');
    const databaseUrl = pair.primaryUrl('bench_b19');
    // One secret for both nodes: the reader's token is good on either.
    const secret = { JWT_SECRET: randomBytes(48).toString('base64url') };
    const plain = await startCommandNode(databaseUrl, secret);
    children.push(plain.child);
    const routed = await startCommandNode(databaseUrl, {
      ...secret,
      BENCH_READ_DATABASE_URLS: pair.replicaUrl('bench_b19'),
    });
    children.push(routed.child);
    // A real board (the reads check membership against the store too): written through the API, then projected.
    const { token, boards } = await benchUserWithBoards(jsonClient(plain.url), 'b19@example.test', 1);
    const boardId = boards[0] ?? '';
    const api = jsonClient(plain.url);
    for (let n = 0; n < tasks; n += 1) await api('POST', `/boards/${boardId}/tasks`, token, { title: `Task ${n}` });
    await project(databaseUrl);
    // As autovacuum would in steady state: hint bits and the visibility map travel to the replica in
    // the WAL; a standby cannot set hint bits for rows committed after its last restartpoint, so
    // without this every replica read would look up the commit log for each row.
    const admin = createPostgresSql({ connectionString: databaseUrl, max: 1 });
    await admin.exec('VACUUM (ANALYZE)');
    const [reader] = await admin.query<{ id: string }>('SELECT id FROM users WHERE email = $1', ['b19@example.test']);
    await admin.close();
    const path = `/api/v1/boards/${boardId}/tasks?limit=50`;
    const headers = { authorization: `Bearer ${token}` };
    await eventually(async () => (await fetch(routed.url + path, { headers })).status === 200, 'the replica');
    await eventually(async () => (await readiness(routed.url)).includes('replica-1 in'), 'the replica in service');
    const rate = async (url: string) => {
      const result = await autocannon({ url: url + path, headers, connections, duration: seconds });
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`B19: ${result.non2xx} non-2xx, ${result.errors} errors`);
      return result.requests.average;
    };
    await rate(plain.url); // warm both nodes' pools, plans and JIT before measuring
    await rate(routed.url);
    const before = os.loadavg()[0] ?? 0;
    const http = await interleaved({
      name: `B19 reads: a node reading a replica vs the primary (${connections} connections, same machine)`,
      unit: 'req/s',
      pairs,
      log,
      baseline: { label: 'primary', run: () => rate(plain.url) },
      subject: { label: 'replica', run: () => rate(routed.url) },
      goal: '≈ 1× here (routing overhead only); capacity needs another machine',
    });
    const served = JSON.stringify(JSON.parse(await readiness(routed.url)));
    if (!/replica-1 in \(lag \d+ ms, [1-9]\d* reads\)/.test(served))
      throw new Error(`B19: the replica served nothing: ${served}`);
    const direct = await directQueries(
      databaseUrl,
      pair.replicaUrl('bench_b19'),
      {
        viewerId: reader?.id ?? '',
        boardId,
        sort: 'position',
        order: 'asc',
        limit: 50,
      },
      pairs,
    );
    return {
      http,
      direct,
      path: '/api/v1/boards/:id/tasks?limit=50',
      connections,
      secondsPerSample: seconds,
      served,
      load: { cores: os.cpus().length, before, after: os.loadavg()[0] ?? 0 },
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map(
        (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
      ),
    );
    await sql.close();
    await pair.remove();
  }
}
