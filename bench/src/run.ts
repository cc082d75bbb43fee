import { benchAppend } from './b1-append.js';
import { benchCommandApi, benchKoaOverhead } from './b2-command-api.js';
import { benchRelay } from './b3-relay.js';
import { benchProjector } from './b5-projector.js';
import { benchFanout } from './b6-fanout.js';
import { benchEndToEnd, type EndToEndResult } from './b7-end-to-end.js';
import { benchHistory } from './b8-history.js';
import { benchEntryPoint } from './b9-entry-point.js';
import { benchEmbeddedMemory } from './b9-memory.js';
import { formatLatency, formatValue, median, medianDifference, type RatioResult } from './lib/measure.js';
import { log, saveResult } from './lib/results.js';

/**
 * `npm run bench` / `node bench/dist/run.js [pairs] [only]`: the benchmarks (all, or those named in
 * `only`, comma-separated: `b3` or `b1,b6`), interleaved pairs, results to bench/results/*.json and
 * a table.
 */
interface Outcome {
  readonly rows: readonly RatioResult[];
  readonly notes: readonly string[];
}

async function endToEnd(b7: EndToEndResult, file: string): Promise<Outcome> {
  await saveResult(file, b7);
  return {
    rows: [],
    notes: [
      `B7 end to end via ${b7.via} (${b7.clients} clients, ${b7.boards} boards, ${b7.ratePerSecond} commands/s, Kafka in the path): cluster p50 ${b7.subjectMedian.p50.toFixed(1)} ms, p95 ${b7.subjectMedian.p95.toFixed(1)} ms, p99 ${b7.subjectMedian.p99.toFixed(1)} ms; short circuit p50 ${b7.baselineMedian.p50.toFixed(1)} ms, p99 ${b7.baselineMedian.p99.toFixed(1)} ms; p50 ratio ${b7.medianP50Ratio.toFixed(2)}× (goal: ${b7.goal})`,
    ],
  };
}

const benchmarks: Readonly<Record<string, (pairs: number) => Promise<Outcome>>> = {
  b1: async (pairs) => {
    const b1 = await benchAppend(pairs);
    await saveResult('b1-append', b1);
    return { rows: [b1], notes: [] };
  },
  b2: async (pairs) => {
    const koa = await benchKoaOverhead(pairs);
    await saveResult('b2-koa-overhead', koa);
    const command = await benchCommandApi(pairs);
    await saveResult('b2-command-api', command);
    const { latency } = command;
    return {
      rows: [koa, command.ratio],
      notes: [
        `B2 latency at ${latency.ratePerSecond} commands/s (half the maximum), open loop, ${latency.count} requests, ${latency.errors} errors: ${formatLatency(latency)} (goal p99 ≤ 10 ms)`,
      ],
    };
  },
  b3: async (pairs) => {
    const b3 = await benchRelay(pairs);
    await saveResult('b3-relay', b3);
    const { latency, catchUp } = b3;
    return {
      rows: [latency.commitToAck, latency.commitToVisible, catchUp],
      notes: [
        `B3 latency at ${latency.ratePerSecond} appends/s, open loop, every sample pooled:`,
        `  commit → Kafka ack, raw produce: ${formatLatency(latency.baseline.commitToAck)}`,
        `  commit → Kafka ack, relay:       ${formatLatency(latency.subject.commitToAck)}`,
        `  recorded_at → ack, relay (what relayCommitToAck observes; 1 ms resolution): ${formatLatency(latency.subject.recordedAtToAck)}`,
        `  commit → consumer sees it, raw produce: ${formatLatency(latency.baseline.commitToVisible)}`,
        `  commit → consumer sees it, relay:       ${formatLatency(latency.subject.commitToVisible)}`,
        `  p50 added by the relay (median of the pairs' differences): ${formatValue(medianDifference(latency.commitToAck))} ms to the ack, ${formatValue(medianDifference(latency.commitToVisible))} ms to the consumer`,
        `B3 catch-up baseline stages (median): raw readAll ${formatValue(median(catchUp.readRates))} events/s, raw produce ${formatValue(median(catchUp.produceRates))} events/s`,
      ],
    };
  },
  b5: async (pairs) => {
    const b5 = await benchProjector(pairs);
    await saveResult('b5-projector', b5);
    return {
      rows: [b5.projector, b5.rebuild],
      notes: [
        `B5 over ${b5.events} events; full rebuild: ${b5.rebuild.subject.median.toFixed(0)} events/s median (goal ≥ 20000)`,
      ],
    };
  },
  b6: async (pairs) => {
    const b6 = await benchFanout(pairs);
    await saveResult('b6-fanout', b6);
    return {
      rows: [b6.p50],
      notes: [
        `B6 delivery to ${b6.clients} clients, ${b6.emitsPerSample} emits at ${b6.ratePerSecond}/s per sample, open loop, every sample pooled (${b6.lost} deliveries lost):`,
        `  in-memory adapter, 1 node:  ${formatLatency(b6.baseline)}`,
        `  Redis adapter, 2 nodes:     ${formatLatency(b6.subject)}`,
        `    of which node A's own clients: ${formatLatency(b6.subjectByNode.emittingNode)}`,
        `    of which node B's (via Redis): ${formatLatency(b6.subjectByNode.otherNode)}`,
        `  p50 added by the Redis adapter: ${b6.addedP50Ms.toFixed(2)} ms (median of the pairs' differences; goal ≤ 2 ms)`,
      ],
    };
  },
  b7: async (pairs) => endToEnd(await benchEndToEnd(pairs), 'b7-end-to-end'),
  /** B7's open loop through the cluster's entry point (the proxy), as browsers reach it. */
  b7e: async (pairs) => endToEnd(await benchEndToEnd(pairs, 'entry point'), 'b7-end-to-end-entry-point'),
  b9: async (pairs) => {
    const b9 = await benchEntryPoint(pairs);
    await saveResult('b9-entry-point', b9);
    const { clusterMedian: c, embeddedMedian: e, ratio } = b9;
    return {
      rows: [],
      notes: [
        `B9 one writer, ${b9.clients} sockets, ${b9.writesPerRound} writes per round: cluster through its entry point p50 ${c.p50.toFixed(1)} ms, p95 ${c.p95.toFixed(1)} ms, p99 ${c.p99.toFixed(1)} ms; embedded p50 ${e.p50.toFixed(1)} ms, p95 ${e.p95.toFixed(1)} ms, p99 ${e.p99.toFixed(1)} ms; ratio cluster/embedded p50 ${ratio.p50.toFixed(2)}×, p99 ${ratio.p99.toFixed(2)}× (goal: ${b9.goal})`,
        `  relay commit → Kafka ack, mean over the measured rounds: ${b9.relay.commitToAckMeanMs?.toFixed(2) ?? 'n/a'} ms`,
        `  embedded process resident at rest: ${b9.embeddedResidentMb.afterStart.toFixed(0)} MB after start on an empty data directory, ${b9.embeddedResidentMb.afterLoad.toFixed(0)} MB after the rounds (goal ≤ 300 MB)`,
      ],
    };
  },
  /** The embedded process's resident memory at rest, without B9's cluster (issue 13). */
  b9m: async (pairs) => {
    const b9m = await benchEmbeddedMemory(pairs);
    await saveResult('b9-memory', b9m);
    return {
      rows: [b9m.afterStart, b9m.afterLoad, b9m.afterRestart, b9m.latencyP50, b9m.latencyP99],
      notes: [
        `B9 memory: embedded process resident at rest (median of ${b9m.pairs}) ${b9m.afterStart.subject.median.toFixed(0)} MB after start, ${b9m.afterLoad.subject.median.toFixed(0)} MB at most after its rounds, ${b9m.afterRestart.subject.median.toFixed(0)} MB after a restart; an idle node process holds ${b9m.nodeFloorMb.toFixed(0)} MB (goal: ${b9m.goal})`,
      ],
    };
  },
  b8: async (pairs) => {
    const b8 = await benchHistory(pairs);
    await saveResult('b8-history', b8);
    return {
      rows: [b8.timeTravel, b8.newestPage, b8.middlePage],
      notes: [
        `B8 over a board of ${b8.events} events: time travel to the middle p50 ${b8.timeTravel.subject.median.toFixed(0)} ms, newest history page ${b8.newestPage.subject.median.toFixed(0)} ms, a middle page ${b8.middlePage.subject.median.toFixed(0)} ms (medians of the pairs)`,
      ],
    };
  },
};

const row = (result: RatioResult) =>
  `| ${result.name} | ${result.baseline.label}: ${formatValue(result.baseline.median)} ${result.unit} | ${result.subject.label}: ${formatValue(result.subject.median)} ${result.unit} | **${result.medianRatio.toFixed(2)}×** (${result.minRatio.toFixed(2)}–${result.maxRatio.toFixed(2)}) | ${result.goal ?? ''} |`;

function parseArguments(argv: readonly string[]): { pairs: number; names: string[] } {
  const pairs = Number(argv[0] ?? 5);
  if (!Number.isInteger(pairs) || pairs < 1)
    throw new RangeError(`pairs must be a whole number ≥ 1 (got "${argv[0]}")`);
  const names = argv[1] ? argv[1].split(',').map((name) => name.trim().toLowerCase()) : Object.keys(benchmarks);
  const unknown = names.filter((name) => !(name in benchmarks));
  if (unknown.length > 0 || names.length === 0)
    throw new RangeError(`unknown benchmark "${unknown.join(',')}"; known: ${Object.keys(benchmarks).join(', ')}`);
  return { pairs, names };
}

async function main(): Promise<void> {
  const { pairs, names } = parseArguments(process.argv.slice(2));
  log(`Benchmarks ${names.join(', ')}, ${pairs} interleaved pairs each`);
  const outcomes: Outcome[] = [];
  for (const name of names) outcomes.push(await benchmarks[name]!(pairs));
  log('\n| benchmark | baseline (median) | subject (median) | ratio, median (min–max) | goal |\n|---|---|---|---|---|');
  for (const outcome of outcomes) for (const result of outcome.rows) log(row(result));
  const notes = outcomes.flatMap((outcome) => outcome.notes);
  if (notes.length > 0) log(`\n${notes.join('\n')}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
