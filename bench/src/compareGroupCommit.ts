import { createTestDatabase } from '@primetrade/platform';
import { benchUserWithBoards, jsonClient, processCpuSeconds, startCommandNode } from './b2-command-api.js';
import { closedLoop, formatLatency, openLoop } from './lib/measure.js';

/**
 * `node bench/dist/compareGroupCommit.js [rounds] [rate] [modes…]`: B2's HTTP load (16 clients, each
 * creating tasks on its own board) on one command node per group-commit setting (`off`, or the
 * statements in flight: `1`, `2`, `4`…), all on one database and alive at once, measured round-robin
 * so the shared machine's load falls on every setting alike: 3 s closed loop (rate, node CPU per
 * command), then 5 s open loop at `rate` commands/s over the 16 boards (latency; default 100/s).
 */
interface Subject {
  readonly mode: string;
  readonly node: Awaited<ReturnType<typeof startCommandNode>>;
  readonly create: (worker: number, i: number) => Promise<unknown>;
}

const label = (mode: string) => (mode === 'off' ? 'off' : `${mode} in flight`);

async function start(mode: string, databaseUrl: string): Promise<Subject> {
  if (mode === 'off') process.env.BENCH_GROUP_COMMIT = '0';
  else {
    delete process.env.BENCH_GROUP_COMMIT;
    process.env.BENCH_GROUP_IN_FLIGHT = mode;
  }
  const node = await startCommandNode(databaseUrl);
  const api = jsonClient(node.url);
  const { token, boards } = await benchUserWithBoards(api, `bench-${mode}@example.test`, 16);
  return {
    mode,
    node,
    create: (worker, i) => api('POST', `/boards/${boards[worker]!}/tasks`, token, { title: `Task ${i}` }),
  };
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const rate = Number(process.argv[3] ?? 100);
  const modes = process.argv.length > 4 ? process.argv.slice(4) : ['off', '1', '2', '4'];
  const database = await createTestDatabase('bench_group_commit', { max: 1 });
  const subjects: Subject[] = [];
  try {
    for (const mode of modes) subjects.push(await start(mode, database.url));
    for (let round = 1; round <= rounds; round += 1) {
      for (const { mode, node, create } of subjects) {
        const pid = node.child.pid ?? 0;
        const before = await processCpuSeconds(pid);
        let done = 0;
        const closed = await closedLoop(16, 3000, (worker, i) =>
          create(worker, i).then(() => {
            done += 1;
          }),
        );
        const micros = (((await processCpuSeconds(pid)) - before) / done) * 1e6;
        const latency = await openLoop(rate, 5000, (i) => create(i % 16, i).then(() => undefined));
        console.log(
          `round ${round}, group commit ${label(mode)}: ${closed.toFixed(0)} commands/s, node CPU ${micros.toFixed(0)} µs/command; at ${rate}/s open loop ${formatLatency(latency)}, ${latency.errors} errors`,
        );
      }
    }
  } finally {
    for (const { node } of subjects) {
      node.child.kill('SIGTERM');
      await new Promise((resolve) => node.child.once('exit', resolve));
    }
    await database.drop();
  }
}

void main();
