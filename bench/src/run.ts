import { benchAppend } from './b1-append.js';
import { benchCommandApi, benchKoaOverhead } from './b2-command-api.js';
import { benchEndToEnd } from './b7-end-to-end.js';
import type { RatioResult } from './lib/measure.js';
import { log, saveResult } from './lib/results.js';

/** `npm run bench`: every benchmark, interleaved pairs, results to bench/results/*.json and a table. */
const pairs = Number(process.argv[2] ?? 5);
/** Optional: run only these (`b1,b7`). */
const only = new Set((process.argv[3] ?? '').split(',').filter(Boolean));
const wanted = (name: string) => only.size === 0 || only.has(name);

const row = (result: RatioResult) =>
  `| ${result.name} | ${result.baseline.label}: ${result.baseline.median.toFixed(0)} ${result.unit} | ${result.subject.label}: ${result.subject.median.toFixed(0)} ${result.unit} | **${result.medianRatio.toFixed(2)}×** (${result.minRatio.toFixed(2)}–${result.maxRatio.toFixed(2)}) | ${result.goal ?? ''} |`;

async function main(): Promise<void> {
  log(`Benchmarks, ${pairs} interleaved pairs each`);
  if (wanted('b7')) {
    const b7 = await benchEndToEnd(pairs);
    await saveResult('b7-end-to-end', b7);
    log(`\nB7 end to end (${b7.clients} clients, ${b7.boards} boards, ${b7.ratePerSecond} commands/s): cluster p50 ${b7.subjectMedian.p50.toFixed(1)} ms, p95 ${b7.subjectMedian.p95.toFixed(1)} ms, p99 ${b7.subjectMedian.p99.toFixed(1)} ms; short circuit p50 ${b7.baselineMedian.p50.toFixed(1)} ms, p99 ${b7.baselineMedian.p99.toFixed(1)} ms; p50 ratio ${b7.medianP50Ratio.toFixed(2)}× (goal: ${b7.goal})`);
    if (only.size > 0 && !wanted('b1')) return;
  }
  const b1 = await benchAppend(pairs);
  await saveResult('b1-append', b1);
  const koa = await benchKoaOverhead(pairs);
  await saveResult('b2-koa-overhead', koa);
  const command = await benchCommandApi(pairs);
  await saveResult('b2-command-api', command);
  const { latency } = command;
  log('\n| benchmark | baseline (median) | subject (median) | ratio, median (min–max) | goal |\n|---|---|---|---|---|');
  for (const result of [b1, koa, command.ratio]) log(row(result));
  log(`\nB2 latency at ${latency.ratePerSecond} commands/s (half the maximum), open loop, ${latency.count} requests, ${latency.errors} errors: p50 ${latency.p50.toFixed(2)} ms, p95 ${latency.p95.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, max ${latency.max.toFixed(2)} ms (goal p99 ≤ 10 ms)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
