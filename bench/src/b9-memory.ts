import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { prepare, round, type RoundResult, type Target } from './b9-entry-point.js';
import { startEmbeddedProcess, type EmbeddedProcess } from './lib/embeddedProcess.js';
import { pairedRatio, type RatioResult } from './lib/measure.js';
import { residentAtRestMb } from './lib/resident.js';
import { log } from './lib/results.js';

/** One embedded process's life: resident memory at rest (MB) at each point. */
export interface MemorySample {
  readonly afterStart: number;
  /** After each round: it climbs while garbage waits for V8's next full collection, then falls. */
  readonly afterRounds: number[];
  /** The highest of `afterRounds`. */
  readonly afterLoad: number;
  readonly afterRestart: number;
}

export interface EmbeddedMemoryResult {
  readonly name: string;
  readonly pairs: number;
  /** An idle `node` process: the floor no Node.js server goes below. */
  readonly nodeFloorMb: number;
  readonly baseline: { readonly label: string; readonly samples: MemorySample[] };
  readonly subject: { readonly label: string; readonly samples: MemorySample[] };
  readonly afterStart: RatioResult;
  readonly afterLoad: RatioResult;
  readonly afterRestart: RatioResult;
  readonly latencyP50: RatioResult;
  readonly latencyP99: RatioResult;
  readonly goal: string;
}

/** The limits B9 lifts, so one reader account can hold the 50 sockets. */
const limits = {
  RATE_LIMIT_API_PER_MINUTE: '100000000',
  RATE_LIMIT_REGISTER_PER_HOUR: '1000',
  REALTIME_MAX_SOCKETS_PER_USER: '1000',
};

/** What PGlite does unasked: a 128MB page cache, and V8's optimizing compiler on its WebAssembly. */
const pgliteOwnSettings = { PGLITE_SHARED_BUFFERS: '128MB', PGLITE_WASM_COMPILER: 'optimizing' };

/** As many writes as B9 sends the embedded process (a warm-up round and three pairs). */
const roundsPerLife = 4;

type Loaded = Omit<MemorySample, 'afterRestart'>;

/** Start on an empty data directory, B9's rounds (1 writer, 50 sockets, 200 writes each), resident at rest after each. */
async function startAndLoad(dataDir: string, env: Readonly<Record<string, string>>): Promise<Loaded> {
  const first = await startEmbeddedProcess(dataDir, env);
  try {
    const afterStart = await residentAtRestMb(first.pid);
    const target = await prepare('embedded', first.url);
    try {
      const afterRounds: number[] = [];
      for (let n = 0; n < roundsPerLife; n += 1) {
        await round(target);
        afterRounds.push(await residentAtRestMb(first.pid));
      }
      return { afterStart, afterRounds, afterLoad: Math.max(...afterRounds) };
    } finally {
      for (const socket of target.sockets) socket.close();
    }
  } finally {
    await first.stop();
  }
}

/** One sample: `startAndLoad`, then a restart on what it wrote. */
async function life(work: string, env: Readonly<Record<string, string>>): Promise<MemorySample> {
  const dataDir = await mkdtemp(path.join(work, 'data-'));
  const loaded = await startAndLoad(dataDir, { ...limits, ...env });
  const second = await startEmbeddedProcess(dataDir, { ...limits, ...env });
  try {
    return { ...loaded, afterRestart: await residentAtRestMb(second.pid) };
  } finally {
    await second.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * B9's latency under both settings, side by side: both processes run at once and take turns, a round
 * each, in alternating order, so the machine's changing load falls on both alike (lives one after the
 * other measured this shared machine's load more than the settings).
 */
async function latencySideBySide(work: string, pairs: number, baselineLabel: string, subjectLabel: string) {
  const processes: EmbeddedProcess[] = [];
  const sockets: Socket[] = [];
  try {
    for (const env of [pgliteOwnSettings, {}])
      processes.push(await startEmbeddedProcess(await mkdtemp(path.join(work, 'latency-')), { ...limits, ...env }));
    const targets: Target[] = [];
    for (const started of processes) targets.push(await prepare('embedded', started.url));
    sockets.push(...targets.flatMap((target) => target.sockets));
    for (const target of targets) await round(target);
    const rounds: RoundResult[][] = [[], []];
    for (let n = 0; n < pairs * 2; n += 1) {
      for (const index of n % 2 === 0 ? [0, 1] : [1, 0]) rounds[index]!.push(await round(targets[index]!));
    }
    const ratio = (key: 'p50' | 'p99') =>
      pairedRatio({
        name: `B9 memory: ${key} request → socket, both processes at once, ${pairs * 2} rounds each`,
        unit: 'ms latency',
        baseline: { label: baselineLabel, samples: rounds[0]!.map((result) => result[key]) },
        subject: { label: subjectLabel, samples: rounds[1]!.map((result) => result[key]) },
        goal: 'no slower',
      });
    return { p50: ratio('p50'), p99: ratio('p99') };
  } finally {
    for (const socket of sockets) socket.close();
    for (const started of processes) await started.stop();
  }
}

async function idleNodeMb(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
  try {
    return await residentAtRestMb(child.pid!);
  } finally {
    child.kill();
  }
}

/**
 * B9 memory: the embedded process (`npm start`'s) at rest, against the same build with PGlite's own
 * settings as the same-run baseline, interleaved; each sample is one process life from an empty data
 * directory. Then both settings' B9 latency, side by side. Both initialize a new data directory in a child process, so the baseline is not the
 * 808 MB of issue 13 (docs/operations.md "Memory"). Resident memory is VmRSS.
 */
export async function benchEmbeddedMemory(pairs: number): Promise<EmbeddedMemoryResult> {
  const work = await mkdtemp(path.join(tmpdir(), 'pt-b9m-'));
  try {
    const nodeFloorMb = await idleNodeMb();
    const baseline = { label: "PGlite's own settings", samples: [] as MemorySample[] };
    const subject = { label: 'the defaults of docs/configuration.md', samples: [] as MemorySample[] };
    for (let pair = 0; pair < pairs; pair += 1) {
      baseline.samples.push(await life(work, pgliteOwnSettings));
      subject.samples.push(await life(work, {}));
      const [b, s] = [baseline.samples.at(-1)!, subject.samples.at(-1)!];
      const line = (sample: MemorySample) =>
        `${sample.afterStart.toFixed(0)} / ${sample.afterRounds.map((mb) => mb.toFixed(0)).join(', ')} / ${sample.afterRestart.toFixed(0)} MB`;
      log(
        `  B9 memory pair ${pair + 1}/${pairs} (after start / each round / restart): baseline ${line(b)}; subject ${line(s)}`,
      );
    }
    const compare = (point: Exclude<keyof MemorySample, 'afterRounds'>, name: string) =>
      pairedRatio({
        name,
        unit: 'MB',
        baseline: { label: baseline.label, samples: baseline.samples.map((sample) => sample[point]) },
        subject: { label: subject.label, samples: subject.samples.map((sample) => sample[point]) },
        goal: '≤ 300 MB',
      });
    const latency = await latencySideBySide(work, pairs, baseline.label, subject.label);
    const resident = 'B9 memory: embedded process resident at rest';
    return {
      name: 'B9 memory: the embedded process at rest',
      pairs,
      nodeFloorMb,
      baseline,
      subject,
      afterStart: compare('afterStart', `${resident} after start on an empty data directory`),
      afterLoad: compare(
        'afterLoad',
        `${resident}, highest after each of ${roundsPerLife} B9 rounds (50 sockets, 200 writes)`,
      ),
      afterRestart: compare('afterRestart', `${resident} after a restart on that data`),
      latencyP50: latency.p50,
      latencyP99: latency.p99,
      goal: 'resident at rest ≤ 300 MB',
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
