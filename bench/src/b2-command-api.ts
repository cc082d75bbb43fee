import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import autocannon from 'autocannon';
import Koa from 'koa';
import { createPostgresSql, createSqlEventStore, createTestDatabase } from '@primetrade/platform';
import { closedLoop, interleaved, openLoop, type LatencyResult, type RatioResult } from './lib/measure.js';
import { formatDiagnostics, watchLoop, type LoopDiagnostics } from './lib/nodeDiagnostics.js';
import { log } from './lib/results.js';

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

/**
 * The command node's store groups concurrent appends as the cluster's does (docs/adr/0021); set
 * BENCH_GROUP_COMMIT=0 to measure it without, BENCH_GROUP_IN_FLIGHT to change its statements in flight.
 */
export async function startCommandNode(
  databaseUrl: string,
  env: Readonly<Record<string, string>> = {},
): Promise<{ url: string; child: ChildProcess; groupCommit: boolean; diagnostics: () => Promise<LoopDiagnostics> }> {
  // BENCH_NODE_ARGS (e.g. `--cpu-prof`) profiles the node under load.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(import.meta.dirname, 'commandNode.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      BENCH_DATABASE_URL: databaseUrl,
      ...(process.env.BENCH_GROUP_COMMIT ? { BENCH_GROUP_COMMIT: process.env.BENCH_GROUP_COMMIT } : {}),
      ...(process.env.BENCH_GROUP_IN_FLIGHT ? { BENCH_GROUP_IN_FLIGHT: process.env.BENCH_GROUP_IN_FLIGHT } : {}),
      ...(process.env.BENCH_NODE_REQUEST_TIMES
        ? { BENCH_NODE_REQUEST_TIMES: process.env.BENCH_NODE_REQUEST_TIMES }
        : {}),
      DATA_DIR: path.join(import.meta.dirname, '.data'),
      LOG_LEVEL: 'info',
      JWT_SECRET: randomUUID() + randomUUID(),
      RATE_LIMIT_API_PER_MINUTE: '100000000',
      WEB_ROOT: '',
      ...env,
    },
    // Its log lines (stdout) go nowhere, as cheaply as possible; fd 3 is the control channel.
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
  });
  // The node's fd 3 is JSON lines: `{"url"}` once it listens, then `{"diagnostics"}` per SIGUSR2.
  const waitingForDiagnostics: ((diagnostics: LoopDiagnostics) => void)[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
      const message = JSON.parse(line) as { url?: string; diagnostics?: LoopDiagnostics };
      if (message.url) resolve(message.url);
      if (message.diagnostics) waitingForDiagnostics.shift()?.(message.diagnostics);
    });
    child.once('exit', (code) => reject(new Error(`command node exited with ${code}`)));
  });
  const diagnostics = () =>
    new Promise<LoopDiagnostics>((resolve) => {
      waitingForDiagnostics.push(resolve);
      child.kill('SIGUSR2');
    });
  return { url, child, groupCommit: process.env.BENCH_GROUP_COMMIT !== '0', diagnostics };
}

/**
 * JSON over a keep-alive agent: cheaper for the load generator than fetch. At most `maxSockets`
 * requests are on the wire at once; the rest wait in the agent (an open loop must not cap them).
 */
export function jsonClient(baseUrl: string, maxSockets = 32) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return (method: string, route: string, token: string | null, body?: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = http.request(
        `${baseUrl}/api/v1${route}`,
        {
          method,
          agent,
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            if ((response.statusCode ?? 500) >= 300)
              reject(new Error(`${method} ${route} → ${response.statusCode} ${text}`));
            else resolve(JSON.parse(text) as Record<string, unknown>);
          });
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
}

/** Registers a user on the node and creates `boardCount` boards: B2's writer, its token and boards. */
export async function benchUserWithBoards(
  api: ReturnType<typeof jsonClient>,
  email: string,
  boardCount: number,
): Promise<{ token: string; boards: string[] }> {
  const session = await api('POST', '/auth/register', null, { email, password: 'benchmark password', name: 'Bench' });
  const token = String(session.accessToken);
  const boards: string[] = [];
  for (let n = 0; n < boardCount; n += 1) {
    const view = (await api('POST', '/boards', token, { name: `Bench ${n}` })) as { board: { id: string } };
    boards.push(view.board.id);
  }
  return { token, boards };
}

/** User + system CPU seconds a process has used so far (Linux `/proc/<pid>/stat`, ticks of 10 ms). */
export async function processCpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface CommandBench {
  readonly ratio: RatioResult;
  readonly latency: LatencyResult;
  /** Over the open loop: what held the node's and the load generator's event loops back. */
  readonly latencyDiagnostics: { readonly node: LoopDiagnostics; readonly generator: LoopDiagnostics };
  /** The store alone: 16 direct appenders with group commit vs without (what the command node's store gains). */
  readonly storeGroupCommit: RatioResult;
  /**
   * The command node's CPU per command over the subject's runs (user + system, µs): unlike the
   * rates, hardly moved by what else the shared machine runs.
   */
  readonly nodeCpuMicrosPerCommand: number;
  /** Whether the node's store groups concurrent appends (docs/adr/0021-group-commit-of-appends.md). */
  readonly groupCommit: boolean;
}

/**
 * B2b: a full command over HTTP (auth, rate limit, validation, state cache, decide, append, response)
 * on a command-api node as it runs in cluster mode — its own process, no relay or projector in it —
 * vs a direct append to the same store from this process, both at 16 concurrent clients on real
 * PostgreSQL, interleaved. Then the HTTP command at half its measured maximum rate, open loop. The
 * node's store groups concurrent appends (docs/adr/0021) and the direct baseline does not; the last
 * comparison shows what grouping alone gives the store.
 */
export async function benchCommandApi(pairs: number): Promise<CommandBench> {
  const database = await createTestDatabase('bench_b2', { max: 1 });
  const sql = createPostgresSql({ connectionString: database.url, max: 16 });
  const node = await startCommandNode(database.url);
  try {
    const api = jsonClient(node.url);
    const { token, boards } = await benchUserWithBoards(api, 'bench@example.test', 16);
    const createTask = (board: string, n: number) =>
      api('POST', `/boards/${board}/tasks`, token, { title: `Task ${n}` });
    const store = await createSqlEventStore(sql, { pollIntervalMs: 60_000 });
    const groupedStore = await createSqlEventStore(sql, { pollIntervalMs: 60_000, groupCommit: true });
    const metadata = {
      occurredAt: new Date().toISOString(),
      actorId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
      schemaVersion: 1,
    };
    const pid = node.child.pid ?? 0;
    let [commands, nodeCpuSeconds] = [0, 0];
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
            await store.appendToStream(`direct-${worker}`, [
              { id: randomUUID(), type: 'TaskCreated', data: { title: 'x' }, metadata },
            ]);
          }),
      },
      subject: {
        label: 'POST /boards/:id/tasks',
        run: async () => {
          const before = await processCpuSeconds(pid);
          const rate = await closedLoop(16, 2000, (worker, i) =>
            createTask(boards[worker]!, i).then(() => {
              commands += 1;
            }),
          );
          nodeCpuSeconds += (await processCpuSeconds(pid)) - before;
          return rate;
        },
      },
    });
    // BENCH_B2_RATE fixes the open loop's rate, to compare codes or settings at the same load.
    const fixedRate = Number(process.env.BENCH_B2_RATE ?? 0);
    const rate = fixedRate > 0 ? Math.floor(fixedRate) : Math.max(1, Math.floor(ratio.subject.median / 2));
    log(
      `  B2 latency: open loop at ${rate} commands/s (${fixedRate > 0 ? 'BENCH_B2_RATE' : 'half the measured maximum'}) for 10 s`,
    );
    // Open loop: a request starts on schedule whatever is in flight, each on a connection of its own
    // if need be (as many browsers would), not queued behind a client-side cap of 32 sockets.
    const openApi = jsonClient(node.url, Infinity);
    await node.diagnostics();
    const generator = watchLoop();
    const latency = await openLoop(rate, 10_000, (i) =>
      openApi('POST', `/boards/${boards[i % boards.length]!}/tasks`, token, { title: `Task ${i}` }).then(
        () => undefined,
      ),
    );
    const latencyDiagnostics = { node: await node.diagnostics(), generator: generator.take() };
    generator.stop();
    log(`  B2 latency, the node: ${formatDiagnostics(latencyDiagnostics.node)}`);
    log(`  B2 latency, the load generator (this process): ${formatDiagnostics(latencyDiagnostics.generator)}`);
    const directAppends = (target: typeof store, prefix: string) => () =>
      closedLoop(16, 2000, async (worker) => {
        await target.appendToStream(`${prefix}-${worker}`, [
          { id: randomUUID(), type: 'TaskCreated', data: { title: 'x' }, metadata },
        ]);
      });
    const storeGroupCommit = await interleaved({
      name: 'B2 direct append: group commit vs one statement each (16 clients)',
      unit: 'ops/s',
      pairs,
      log,
      baseline: { label: 'store.appendToStream', run: directAppends(store, 'single') },
      subject: { label: 'with groupCommit', run: directAppends(groupedStore, 'grouped') },
    });
    await Promise.all([store.close(), groupedStore.close()]);
    return {
      ratio,
      latency,
      latencyDiagnostics,
      storeGroupCommit,
      nodeCpuMicrosPerCommand: (nodeCpuSeconds / commands) * 1e6,
      groupCommit: node.groupCommit,
    };
  } finally {
    node.child.kill('SIGTERM');
    await new Promise((resolve) => node.child.once('exit', resolve));
    await sql.close();
    await database.drop();
  }
}
