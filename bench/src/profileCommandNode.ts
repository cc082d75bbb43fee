import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@primetrade/platform';
import { benchUserWithBoards, jsonClient, processCpuSeconds, startCommandNode } from './b2-command-api.js';
import { closedLoop } from './lib/measure.js';

/**
 * `node bench/dist/profileCommandNode.js [seconds] [clients] [boards]`: B2's load (each client creating
 * tasks on its own board, closed loop; fewer boards than clients share them, `16 1` is a hot board)
 * on a command node started with `--cpu-prof`, then the node's CPU time per command (from /proc:
 * robust on a shared machine) and its top self-time frames per command (wall-clock samples: a frame
 * preempted by another process is charged the wait, so on a loaded machine the frames that wake
 * PostgreSQL, `writev`, read high). Setup and start-up are outside the window: the profile starts
 * when the load does (`--cpu-prof` covers the whole process, so the node is warmed first and the
 * figures subtract a profile of the warm-up alone).
 */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const frameName = (node: ProfileNode): string => {
  const where = node.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/(\w[\w-]*\/dist\/)/, '$1');
  return `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`;
};

/** Self time per frame name, in microseconds. */
function selfTimes(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const times = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node) return;
    const name = frameName(node);
    times.set(name, (times.get(name) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return times;
}

interface Run {
  readonly commands: number;
  /** The node's CPU seconds during the load. */
  readonly cpu: number;
}

async function profiledRun(seconds: number, clients: number, boardCount: number, directory: string): Promise<Run> {
  const database = await createTestDatabase('bench_b2_profile', { max: 1 });
  process.env.BENCH_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${directory}`;
  const node = await startCommandNode(database.url);
  let done = 0;
  let cpu: number;
  try {
    const api = jsonClient(node.url);
    const { token, boards } = await benchUserWithBoards(api, 'bench@example.test', boardCount);
    const create = (worker: number, i: number) =>
      api('POST', `/boards/${boards[worker % boardCount]!}/tasks`, token, { title: `Task ${i}` }).then(() => {
        done += 1;
      });
    const pid = node.child.pid ?? 0;
    const before = await processCpuSeconds(pid);
    if (seconds > 0) await closedLoop(clients, seconds * 1000, create);
    cpu = (await processCpuSeconds(pid)) - before;
  } finally {
    node.child.kill('SIGTERM');
    await new Promise((resolve) => node.child.once('exit', resolve));
    await database.drop();
  }
  return { commands: done, cpu };
}

async function readProfile(directory: string): Promise<CpuProfile> {
  const [file] = (await readdir(directory)).filter((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile in ${directory}`);
  return JSON.parse(await readFile(path.join(directory, file), 'utf8')) as CpuProfile;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const clients = Number(process.argv[3] ?? 16);
  // Fewer boards than clients share boards: one board for all is the hot board (ADR 0033's lanes).
  const boardCount = Number(process.argv[4] ?? clients);
  if (!Number.isInteger(boardCount) || boardCount < 1 || boardCount > clients)
    throw new RangeError('boards must be a whole number from 1 to the number of clients');
  const warmDir = await mkdtemp(path.join(tmpdir(), 'b2-warm-'));
  const loadDir = await mkdtemp(path.join(tmpdir(), 'b2-load-'));
  await profiledRun(0, clients, boardCount, warmDir);
  const { commands, cpu } = await profiledRun(seconds, clients, boardCount, loadDir);
  const warm = selfTimes(await readProfile(warmDir));
  const load = selfTimes(await readProfile(loadDir));
  const perCommand = [...load]
    .map(([name, micros]) => [name, (micros - (warm.get(name) ?? 0)) / commands] as const)
    .filter(([name]) => name !== '(idle) :0');
  const busy = perCommand.reduce((sum, [, micros]) => sum + micros, 0);
  console.log(
    `${commands} commands in ${seconds} s (${(commands / seconds).toFixed(0)}/s), ${clients} clients on ${boardCount} boards`,
  );
  console.log(`node CPU per command: ${((cpu / commands) * 1e6).toFixed(0)} µs (/proc, user + system)`);
  console.log(`profiled time per command: ${busy.toFixed(0)} µs (wall-clock samples, preemption included; ${loadDir})`);
  for (const [name, micros] of perCommand.sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${micros.toFixed(1).padStart(8)} µs ${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${name}`);
  }
}

void main();
