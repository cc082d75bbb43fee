import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { createTestDatabase } from '@primetrade/platform';
import { startKafka } from '../../infra/kafka/kafka.mjs';
import { startCluster } from '../../infra/cluster/dist/cluster.js';
import { backendsOf, clusterProcessGroups } from './lib/clusterCpu.js';
import { cpuMeter, machineKey, thisProcess } from './lib/cpu.js';
import { entryPoint } from './lib/entryPoint.js';
import {
  connectUsers,
  mix,
  readKinds,
  seedWorkload,
  trivialRead,
  workload,
  writeKinds,
  type WorkloadShape,
} from './lib/mixedWorkload.js';
import { median } from './lib/measure.js';
import { log } from './lib/results.js';
import { formatCores, steppedLoad, seedLimits, type StepResult, type SteppedResult } from './lib/steps.js';

/** Scaled by environment for a quick run: BENCH_B10_USERS, _BOARDS, _TASKS, _STEP_MS. */
const numberFrom = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const shape: WorkloadShape = {
  users: numberFrom('BENCH_B10_USERS', 1000),
  boards: numberFrom('BENCH_B10_BOARDS', 100),
  tasksPerBoard: numberFrom('BENCH_B10_TASKS', 20),
};
const stepMs = numberFrom('BENCH_B10_STEP_MS', 10_000);
const mixedRates = [10, 20, 30, 40, 50, 75, 100, 150, 200, 250, 300, 400, 500, 650, 800, 1000];
const trivialRates = [50, 100, 150, 200, 300, 400, 600, 800, 1000, 1300, 1600, 2000, 2500, 3200];

export interface MixedResult {
  readonly name: string;
  readonly shape: WorkloadShape;
  readonly sockets: number;
  readonly mix: typeof mix;
  readonly stepMs: number;
  readonly limits: typeof seedLimits;
  readonly baseline: SteppedResult & { readonly label: string };
  readonly subject: SteppedResult & { readonly label: string };
  /** Highest sustained mixed rate / highest sustained trivial rate, same run, same entry point. */
  readonly ratio: number | null;
  readonly perCore: number | null;
  /** The service using the most CPU in the last sustained mixed step, and its cores. */
  readonly busiest: { readonly service: string; readonly cores: number } | null;
  /** What each service uses with sockets connected and no requests (cores). */
  readonly idleCores: Record<string, number>;
  /**
   * CPU milliseconds per mixed request of each service above its idle use: the median over the
   * steps (every step's requests all completed; see steps.ts). The capacity model's input.
   */
  readonly cpuMsPerRequest: Record<string, number>;
  /**
   * The reads alone and the writes alone, one step each at the rates they have in the mix's
   * highest sustained step: what a read and what a write cost each service (CPU ms per request).
   */
  readonly byClass: { readonly reads: StepResult | null; readonly writes: StepResult | null };
  readonly socketEvents: number;
}

/** Per service, the median over `steps` of their CPU ms per request. */
function medianCost(steps: readonly StepResult[]): Record<string, number> {
  const names = Object.keys(steps[0]?.cpuMsPerRequest ?? {});
  return Object.fromEntries(names.map((name) => [name, median(steps.map((step) => step.cpuMsPerRequest[name] ?? 0))]));
}

function lastSustained(result: SteppedResult): StepResult | null {
  return result.steps.filter((step) => step.sustained).at(-1) ?? null;
}

/**
 * B10, the seed's mixed workload: users over boards, a socket each joined to its board, 80% reads
 * (board view, task list page, search, stats) and 20% writes (create, move, update), open loop in
 * steps through the cluster's entry point until p95 > 500 ms or p99 > 1 s. Baseline in the same run
 * and cluster: the same stepping with a trivial authenticated read (`GET /api/v1/me`).
 */
export async function benchMixed(): Promise<MixedResult> {
  const work = await mkdtemp(path.join(tmpdir(), 'pt-b10-'));
  const cleanup: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })];
  let sockets: Socket[] = [];
  try {
    const kafka = await startKafka({ dataDir: path.join(work, 'kafka'), heap: '384m' });
    cleanup.unshift(() => kafka.stop());
    const database = await createTestDatabase('b10');
    cleanup.unshift(() => database.drop());
    const cluster = await startCluster({
      databaseUrl: database.url,
      kafkaBrokers: kafka.brokers,
      redisUrl: 'redis://127.0.0.1:6379',
      topic: `pt-bench-b10-${randomBytes(4).toString('hex')}`,
      partitions: 8,
      redisKeyPrefix: `pt:bench-b10:${randomBytes(4).toString('hex')}:`,
      jwtSecret: randomBytes(48).toString('base64url'),
      logLevel: 'info',
      // Setup only: every user registers from this one address, and the run outlasts the default token.
      accessTokenTtlSeconds: 4 * 3600,
      env: { RATE_LIMIT_REGISTER_PER_HOUR: String(shape.users * 2), PG_POOL_MAX: '10' },
    });
    cleanup.unshift(() => cluster.stop());
    const url = entryPoint(cluster);
    log(`  B10: ${shape.users} users over ${shape.boards} boards through ${url}, steps of ${stepMs / 1000} s`);
    const seeded = await seedWorkload(url, shape, log);
    const connected = await connectUsers(url, seeded.users);
    sockets = connected.sockets;
    log(`    ${sockets.length} sockets connected and joined`);
    const meter = cpuMeter(clusterProcessGroups(cluster, kafka.pid, backendsOf(database.sql, [database.name])));
    const measureCores = () => meter.start();
    const stopIdle = await measureCores();
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    const idleCores = await stopIdle();
    log(`    idle, ${sockets.length} sockets connected: cores ${formatCores(idleCores)}`);

    log(`  B10 baseline (GET /api/v1/me), stepped:`);
    const baseline = await steppedLoad({
      rates: trivialRates,
      stepMs,
      next: trivialRead(seeded),
      measureCores,
      idleCores,
      log,
    });
    log(`  B10 mixed workload, stepped:`);
    const eventsBefore = connected.received();
    const subject = await steppedLoad({
      rates: mixedRates,
      stepMs,
      next: workload(seeded),
      measureCores,
      idleCores,
      log,
    });
    const socketEvents = connected.received() - eventsBefore;
    const split = subject.highestSustained ?? mixedRates[0]!;
    const alone = async (label: string, kinds: typeof readKinds, rate: number) => {
      log(`  B10 ${label} alone, ${rate}/s:`);
      const result = await steppedLoad({
        rates: [rate],
        stepMs,
        next: workload(seeded, 43, kinds),
        measureCores,
        idleCores,
        log,
      });
      return result.steps[0] ?? null;
    };
    const byClass = {
      reads: await alone('reads', readKinds, Math.round(split * 0.8)),
      writes: await alone('writes', writeKinds, Math.round(split * 0.2)),
    };
    const last = lastSustained(subject);
    const services = last
      ? Object.entries(last.cores).filter(([name]) => name !== machineKey && name !== thisProcess.name)
      : [];
    const busiest = services.sort((a, b) => b[1] - a[1])[0];
    const ratio =
      subject.highestSustained !== null && baseline.highestSustained
        ? subject.highestSustained / baseline.highestSustained
        : null;
    return {
      name: 'B10 mixed workload (80% reads, 20% writes) through the entry point, stepped open loop',
      shape,
      sockets: sockets.length,
      mix,
      stepMs,
      limits: seedLimits,
      baseline: { label: 'GET /api/v1/me', ...baseline },
      subject: { label: 'mixed workload', ...subject },
      ratio,
      perCore: subject.highestSustained === null ? null : subject.highestSustained / cpus().length,
      busiest: busiest ? { service: busiest[0], cores: busiest[1] } : null,
      idleCores,
      cpuMsPerRequest: medianCost(subject.steps),
      byClass,
      socketEvents,
    };
  } finally {
    for (const socket of sockets) socket.close();
    for (const step of cleanup) await step().catch(() => undefined);
  }
}
