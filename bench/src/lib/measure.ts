import * as hdr from 'hdr-histogram-js';

/**
 * Machines here are shared and noisy (docs/testing.md): every figure is a ratio to a baseline measured
 * in the same run, interleaved baseline/subject, with the median ratio and its min/max.
 */
export interface RatioResult {
  readonly name: string;
  readonly unit: string;
  readonly pairs: number;
  readonly medianRatio: number;
  readonly minRatio: number;
  readonly maxRatio: number;
  readonly baseline: { readonly label: string; readonly median: number; readonly samples: number[] };
  readonly subject: { readonly label: string; readonly median: number; readonly samples: number[] };
  readonly goal?: string;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** A figure for tables and logs: whole numbers from 100 up, two decimals below (latencies in ms). */
export const formatValue = (value: number): string => value.toFixed(Math.abs(value) >= 100 ? 0 : 2);

/** The paired samples of one comparison as a `RatioResult` (subject / baseline, pair by pair). */
export function pairedRatio(options: {
  name: string;
  unit: string;
  baseline: { label: string; samples: number[] };
  subject: { label: string; samples: number[] };
  goal?: string;
}): RatioResult {
  const { baseline, subject } = options;
  if (baseline.samples.length === 0 || baseline.samples.length !== subject.samples.length) {
    throw new RangeError(`${options.name}: needs as many baseline as subject samples, at least one`);
  }
  const ratios = subject.samples.map((value, index) => value / baseline.samples[index]!);
  return {
    name: options.name,
    unit: options.unit,
    pairs: ratios.length,
    medianRatio: median(ratios),
    minRatio: Math.min(...ratios),
    maxRatio: Math.max(...ratios),
    baseline: { label: baseline.label, median: median(baseline.samples), samples: baseline.samples },
    subject: { label: subject.label, median: median(subject.samples), samples: subject.samples },
    ...(options.goal ? { goal: options.goal } : {}),
  };
}

/** Median over the pairs of (subject − baseline): for latencies, what the subject adds, in the result's unit. */
export const medianDifference = (result: RatioResult): number =>
  median(result.subject.samples.map((value, index) => value - result.baseline.samples[index]!));

/**
 * Runs baseline, subject, baseline, subject… `pairs` times. Each run returns one figure — a rate
 * (higher is better) or a latency percentile (lower is better); the ratio is subject / baseline.
 */
export async function interleaved(options: {
  name: string;
  unit: string;
  pairs: number;
  baseline: { label: string; run: () => Promise<number> };
  subject: { label: string; run: () => Promise<number> };
  goal?: string;
  log?: (line: string) => void;
}): Promise<RatioResult> {
  const baseline: number[] = [];
  const subject: number[] = [];
  for (let pair = 0; pair < options.pairs; pair += 1) {
    const b = await options.baseline.run();
    const s = await options.subject.run();
    baseline.push(b);
    subject.push(s);
    options.log?.(
      `  ${options.name} pair ${pair + 1}/${options.pairs}: ${options.baseline.label} ${formatValue(b)} ${options.unit}, ${options.subject.label} ${formatValue(s)} ${options.unit}, ratio ${(s / b).toFixed(3)}`,
    );
  }
  return pairedRatio({
    name: options.name,
    unit: options.unit,
    baseline: { label: options.baseline.label, samples: baseline },
    subject: { label: options.subject.label, samples: subject },
    ...(options.goal ? { goal: options.goal } : {}),
  });
}

/** Closed loop: `concurrency` workers call `op` back to back for `durationMs`; returns ops/s. */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<number> {
  const end = performance.now() + durationMs;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < end; i += 1) {
        await op(worker, i);
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

/** Percentiles in milliseconds of an HDR histogram recorded in microseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface LatencyResult extends LatencySummary {
  readonly ratePerSecond: number;
  readonly errors: number;
}

export type LatencyHistogram = hdr.Histogram;

/** An HDR histogram of latencies in microseconds, 1 µs to 60 s, 3 significant digits. */
export const createLatencyHistogram = (): LatencyHistogram =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

/** Records a latency given in milliseconds (fractions kept down to the microsecond). */
export const recordMs = (histogram: LatencyHistogram, ms: number): void =>
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));

export function summarize(histogram: LatencyHistogram): LatencySummary {
  const ms = (value: number) => value / 1000;
  return {
    count: histogram.totalCount,
    p50: ms(histogram.getValueAtPercentile(50)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}

export const formatLatency = (latency: LatencySummary): string =>
  `p50 ${latency.p50.toFixed(2)} ms, p95 ${latency.p95.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, max ${latency.max.toFixed(2)} ms (${latency.count} samples)`;

/**
 * Open loop at a fixed rate: requests start on schedule whether or not earlier ones finished, and
 * latency is measured from the scheduled start (no coordinated omission). Milliseconds.
 */
export async function openLoop(
  ratePerSecond: number,
  durationMs: number,
  op: (i: number) => Promise<void>,
): Promise<LatencyResult> {
  const histogram = createLatencyHistogram();
  const intervalMs = 1000 / ratePerSecond;
  const total = Math.floor((durationMs / 1000) * ratePerSecond);
  const start = performance.now();
  let errors = 0;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const scheduled = start + i * intervalMs;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inflight.push(
      op(i).then(
        () => recordMs(histogram, performance.now() - scheduled),
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(inflight);
  return { ratePerSecond, errors, ...summarize(histogram), count: total };
}
