import { benchAppend } from './b1-append.js';
import { benchCommandApi, benchKoaOverhead } from './b2-command-api.js';
import { benchProjector } from './b5-projector.js';
import { benchEndToEnd } from './b7-end-to-end.js';
import type { RatioResult } from './lib/measure.js';
import { log, saveResult } from './lib/results.js';

/**
 * `npm run bench`: every benchmark, interleaved pairs, results to bench/results/*.json and a table.
 * `npm run bench -- 5 b5-projector` runs only the entries whose name starts with the second argument.
 */
const pairs = Number(process.argv[2] ?? 5);
const only = process.argv[3] ?? '';
const selected = (name: string) => name.startsWith(only);

const row = (result: RatioResult) =>
  `| ${result.name} | ${result.baseline.label}: ${result.baseline.median.toFixed(0)} ${result.unit} | ${result.subject.label}: ${result.subject.median.toFixed(0)} ${result.unit} | **${result.medianRatio.toFixed(2)}×** (${result.minRatio.toFixed(2)}–${result.maxRatio.toFixed(2)}) | ${result.goal ?? ''} |`;

async function main(): Promise<void> {
  log(`Benchmarks, ${pairs} interleaved pairs each${only ? `, only ${only}*` : ''}`);
  const table: RatioResult[] = [];
  const notes: string[] = [];
  if (selected('b1-append')) {
    const b1 = await benchAppend(pairs);
    await saveResult('b1-append', b1);
    table.push(b1);
  }
  if (selected('b2-koa-overhead')) {
    const koa = await benchKoaOverhead(pairs);
    await saveResult('b2-koa-overhead', koa);
    table.push(koa);
  }
  if (selected('b2-command-api')) {
    const command = await benchCommandApi(pairs);
    await saveResult('b2-command-api', command);
    table.push(command.ratio);
    const { latency } = command;
    notes.push(`B2 latency at ${latency.ratePerSecond} commands/s (half the maximum), open loop, ${latency.count} requests, ${latency.errors} errors: p50 ${latency.p50.toFixed(2)} ms, p95 ${latency.p95.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, max ${latency.max.toFixed(2)} ms (goal p99 ≤ 10 ms)`);
  }
  if (selected('b5-projector')) {
    const b5 = await benchProjector(pairs);
    await saveResult('b5-projector', b5);
    table.push(b5.projector, b5.rebuild);
    notes.push(`B5 over ${b5.events} events; full rebuild: ${b5.rebuild.subject.median.toFixed(0)} events/s median (goal ≥ 20000)`);
  }
  if (selected('b7-end-to-end')) {
    const b7 = await benchEndToEnd(pairs);
    await saveResult('b7-end-to-end', b7);
    notes.push(`B7 end to end (${b7.clients} clients, ${b7.boards} boards, ${b7.ratePerSecond} commands/s, Kafka in the path): cluster p50 ${b7.subjectMedian.p50.toFixed(1)} ms, p95 ${b7.subjectMedian.p95.toFixed(1)} ms, p99 ${b7.subjectMedian.p99.toFixed(1)} ms; short circuit p50 ${b7.baselineMedian.p50.toFixed(1)} ms, p99 ${b7.baselineMedian.p99.toFixed(1)} ms; p50 ratio ${b7.medianP50Ratio.toFixed(2)}× (goal: ${b7.goal})`);
  }
  log('\n| benchmark | baseline (median) | subject (median) | ratio, median (min–max) | goal |\n|---|---|---|---|---|');
  for (const result of table) log(row(result));
  for (const note of notes) log(`\n${note}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
