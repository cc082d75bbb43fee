import type { CoreUse } from './cpu.js';
import { createLatencyHistogram, recordMs, summarize, type LatencyHistogram, type LatencySummary } from './measure.js';

/** One request of an open-loop step: its kind (for per-kind figures) and what it does; throws on failure. */
export interface Operation {
  readonly kind: string;
  run(): Promise<void>;
}

export interface StepLimits {
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Failed requests over all requests of the step. */
  readonly maxErrorRate: number;
}

/** The seed's latency targets: a step is sustained while p95 ≤ 500 ms and p99 ≤ 1 s, errors ≤ 1%. */
export const seedLimits: StepLimits = { p95Ms: 500, p99Ms: 1000, maxErrorRate: 0.01 };

export interface StepResult extends LatencySummary {
  readonly targetRate: number;
  /** Requests started per second: below the target when the load generator itself cannot keep up. */
  readonly startedRate: number;
  readonly errors: number;
  readonly byKind: Record<string, LatencySummary & { readonly errors: number }>;
  /** CPU cores each service used during the step. */
  readonly cores: CoreUse;
  /**
   * CPU milliseconds per request of each service: its cores above what it uses idle (`idleCores`),
   * times the step's wall-clock time (until the last answer), over the step's requests.
   */
  readonly cpuMsPerRequest: CoreUse;
  readonly sustained: boolean;
  /** Why the step is not sustained, or null. */
  readonly verdict: string | null;
}

export interface SteppedResult {
  readonly steps: StepResult[];
  /** Highest target rate of a sustained step before the first step that was not, or null if none was. */
  readonly highestSustained: number | null;
}

export type Measured = Omit<StepResult, 'cores' | 'cpuMsPerRequest' | 'sustained' | 'verdict'>;

export function verdictOf(step: Measured, limits: StepLimits): string | null {
  if (step.startedRate < step.targetRate * 0.9)
    return `load generator started only ${step.startedRate.toFixed(0)}/s of ${step.targetRate}/s`;
  if (step.errors / step.count > limits.maxErrorRate) return `${step.errors} errors of ${step.count}`;
  if (step.p95 > limits.p95Ms) return `p95 ${step.p95.toFixed(0)} ms > ${limits.p95Ms} ms`;
  if (step.p99 > limits.p99Ms) return `p99 ${step.p99.toFixed(0)} ms > ${limits.p99Ms} ms`;
  return null;
}

/**
 * One open-loop step: requests start on schedule whatever earlier ones do, latency from the
 * scheduled start (no coordinated omission), errors counted apart (their latency is not recorded).
 */
async function step(ratePerSecond: number, durationMs: number, next: (i: number) => Operation): Promise<Measured> {
  const all = createLatencyHistogram();
  const kinds = new Map<string, { histogram: LatencyHistogram; errors: number }>();
  const total = Math.max(1, Math.floor((durationMs / 1000) * ratePerSecond));
  const intervalMs = 1000 / ratePerSecond;
  const start = performance.now();
  let errors = 0;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const scheduled = start + i * intervalMs;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const operation = next(i);
    let kind = kinds.get(operation.kind);
    if (!kind) kinds.set(operation.kind, (kind = { histogram: createLatencyHistogram(), errors: 0 }));
    const mine = kind;
    inflight.push(
      operation.run().then(
        () => {
          const ms = performance.now() - scheduled;
          recordMs(all, ms);
          recordMs(mine.histogram, ms);
        },
        () => {
          errors += 1;
          mine.errors += 1;
        },
      ),
    );
  }
  const startedRate = total / ((performance.now() - start + intervalMs) / 1000);
  await Promise.all(inflight);
  const byKind = Object.fromEntries(
    [...kinds].map(([name, { histogram, errors: failed }]) => [name, { ...summarize(histogram), errors: failed }]),
  );
  return { targetRate: ratePerSecond, startedRate, errors, byKind, ...summarize(all), count: total };
}

/**
 * Stepped open loop: each rate in turn for `stepMs`, until a step misses `limits`. `measureCores`
 * brackets each step (see cpu.ts) so each service's CPU use is known per step.
 */
export async function steppedLoad(options: {
  readonly rates: readonly number[];
  readonly stepMs: number;
  readonly next: (i: number) => Operation;
  readonly measureCores: () => Promise<() => Promise<CoreUse>>;
  /** What each service uses with no requests (sockets connected, heartbeats, polling); subtracted per request. */
  readonly idleCores: CoreUse;
  readonly limits?: StepLimits;
  readonly pauseMs?: number;
  readonly log?: (line: string) => void;
}): Promise<SteppedResult> {
  const limits = options.limits ?? seedLimits;
  const steps: StepResult[] = [];
  let highestSustained: number | null = null;
  for (const rate of options.rates) {
    const stop = await options.measureCores();
    const startedAt = performance.now();
    const measured = await step(rate, options.stepMs, options.next);
    const cores = await stop();
    const seconds = (performance.now() - startedAt) / 1000;
    const cpuMsPerRequest = Object.fromEntries(
      Object.entries(cores).map(([name, used]) => [
        name,
        ((used - (options.idleCores[name] ?? 0)) * seconds * 1000) / measured.count,
      ]),
    );
    const verdict = verdictOf(measured, limits);
    steps.push({ ...measured, cores, cpuMsPerRequest, sustained: verdict === null, verdict });
    options.log?.(
      `    ${rate}/s: p50 ${measured.p50.toFixed(1)} ms, p95 ${measured.p95.toFixed(1)} ms, p99 ${measured.p99.toFixed(1)} ms, ${measured.errors} errors of ${measured.count}; cores ${formatCores(cores)}${verdict ? ` — not sustained: ${verdict}` : ''}`,
    );
    if (verdict !== null) break;
    highestSustained = rate;
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 1000));
  }
  return { steps, highestSustained };
}

export const formatCores = (cores: CoreUse): string =>
  Object.entries(cores)
    .map(([name, value]) => `${name} ${value.toFixed(2)}`)
    .join(', ');
