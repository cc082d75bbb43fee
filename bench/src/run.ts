import { benchAppend } from './b1-append.js';
import { benchCommandApi, benchKoaOverhead } from './b2-command-api.js';
import type { RatioResult } from './lib/measure.js';
import { log, saveResult } from './lib/results.js';

/** `npm run bench`: every benchmark, interleaved pairs, results to bench/results/*.json and a table. */
const pairs = Number(process.argv[2] ?? 5);

const row = (result: RatioResult) =>
  `| ${result.name} | ${result.baseline.label}: ${result.baseline.median.toFixed(0)} ${result.unit} | ${result.subject.label}: ${result.subject.median.toFixed(0)} ${result.unit} | **${result.medianRatio.toFixed(2)}×** (${result.minRatio.toFixed(2)}–${result.maxRatio.toFixed(2)}) | ${result.goal ?? ''} |`;

async function main(): Promise<void> {
  log(`Benchmarks, ${pairs} interleaved pairs each`);
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
