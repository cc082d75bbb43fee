import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prepare, round } from './b9-entry-point.js';
import { startEmbeddedProcess } from './lib/embeddedProcess.js';
import { pairedRatio, type RatioResult } from './lib/measure.js';
import { residentAtRestMb } from './lib/resident.js';
import { log } from './lib/results.js';

/** One embedded process's life: resident memory at rest (MB) at each point. */
export interface MemorySample {
  readonly afterStart: number;
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

/** Start on an empty data directory, one B9 round (1 writer, 50 sockets, 200 writes), then a restart on what it wrote. */
async function life(work: string, env: Readonly<Record<string, string>>): Promise<MemorySample> {
  const dataDir = await mkdtemp(path.join(work, 'data-'));
  const first = await startEmbeddedProcess(dataDir, { ...limits, ...env });
  let afterStart: number;
  let afterLoad: number;
  try {
    afterStart = await residentAtRestMb(first.pid);
    const target = await prepare('embedded', first.url);
    try {
      await round(target);
      afterLoad = await residentAtRestMb(first.pid);
    } finally {
      for (const socket of target.sockets) socket.close();
    }
  } finally {
    await first.stop();
  }
  const second = await startEmbeddedProcess(dataDir, { ...limits, ...env });
  try {
    return { afterStart, afterLoad, afterRestart: await residentAtRestMb(second.pid) };
  } finally {
    await second.stop();
    await rm(dataDir, { recursive: true, force: true });
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
 * directory. Both initialize a new data directory in a child process, so the baseline is not the
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
      log(
        `  B9 memory pair ${pair + 1}/${pairs} (MB after start / load / restart): baseline ${b.afterStart.toFixed(0)} / ${b.afterLoad.toFixed(0)} / ${b.afterRestart.toFixed(0)}; subject ${s.afterStart.toFixed(0)} / ${s.afterLoad.toFixed(0)} / ${s.afterRestart.toFixed(0)}`,
      );
    }
    const compare = (point: keyof MemorySample, name: string) =>
      pairedRatio({
        name: `B9 memory: embedded process resident at rest ${name}`,
        unit: 'MB',
        baseline: { label: baseline.label, samples: baseline.samples.map((sample) => sample[point]) },
        subject: { label: subject.label, samples: subject.samples.map((sample) => sample[point]) },
        goal: '≤ 300 MB',
      });
    return {
      name: 'B9 memory: the embedded process at rest',
      pairs,
      nodeFloorMb,
      baseline,
      subject,
      afterStart: compare('afterStart', 'after start on an empty data directory'),
      afterLoad: compare('afterLoad', 'after a B9 round (50 sockets, 200 writes)'),
      afterRestart: compare('afterRestart', 'after a restart on that data'),
      goal: 'resident at rest ≤ 300 MB',
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
