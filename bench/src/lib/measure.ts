import * as hdr from 'hdr-histogram-js';

/**
 * Machines here are shared and noisy (QUALITY.md): every figure is a ratio to a baseline measured
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

/** Runs baseline, subject, baseline, subject… `pairs` times; each run returns a rate (higher is better). */
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
  const ratios: number[] = [];
  for (let pair = 0; pair < options.pairs; pair += 1) {
    const b = await options.baseline.run();
    const s = await options.subject.run();
    baseline.push(b);
    subject.push(s);
    ratios.push(s / b);
    options.log?.(`  ${options.name} pair ${pair + 1}/${options.pairs}: ${options.baseline.label} ${b.toFixed(0)} ${options.unit}, ${options.subject.label} ${s.toFixed(0)} ${options.unit}, ratio ${(s / b).toFixed(3)}`);
  }
  return {
    name: options.name,
    unit: options.unit,
    pairs: options.pairs,
    medianRatio: median(ratios),
    minRatio: Math.min(...ratios),
    maxRatio: Math.max(...ratios),
    baseline: { label: options.baseline.label, median: median(baseline), samples: baseline },
    subject: { label: options.subject.label, median: median(subject), samples: subject },
    ...(options.goal ? { goal: options.goal } : {}),
  };
}

/** Closed loop: `concurrency` workers call `op` back to back for `durationMs`; returns ops/s. */
export async function closedLoop(concurrency: number, durationMs: number, op: (worker: number, i: number) => Promise<void>): Promise<number> {
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

export interface LatencyResult {
  readonly ratePerSecond: number;
  readonly count: number;
  readonly errors: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Open loop at a fixed rate: requests start on schedule whether or not earlier ones finished, and
 * latency is measured from the scheduled start (no coordinated omission). Milliseconds.
 */
export async function openLoop(ratePerSecond: number, durationMs: number, op: (i: number) => Promise<void>): Promise<LatencyResult> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
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
        () => histogram.recordValue(Math.round((performance.now() - scheduled) * 1000)),
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(inflight);
  const ms = (value: number) => value / 1000;
  return {
    ratePerSecond,
    count: total,
    errors,
    p50: ms(histogram.getValueAtPercentile(50)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}
