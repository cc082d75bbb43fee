import { benchAppend } from './b1-append.js';
import { benchCommandApi, benchKoaOverhead } from './b2-command-api.js';
import { benchRelay } from './b3-relay.js';
import { benchProjector } from './b5-projector.js';
import { benchFanout } from './b6-fanout.js';
import { benchEndToEnd, type EndToEndResult } from './b7-end-to-end.js';
import { benchHistory } from './b8-history.js';
import { benchMixed } from './b10-mixed.js';
import { benchIdleSockets } from './b12-idle-sockets.js';
import { benchBroadcast } from './b13-broadcast.js';
import { benchDomain } from './b14-domain.js';
import { benchEntryPoint } from './b9-entry-point.js';
import { benchEmbeddedMemory } from './b9-memory.js';
import { benchPagination } from './b11-pagination.js';
import { benchBigBoard } from './b15-big-board.js';
import { benchSearch } from './b16-search.js';
import { benchIndexLag } from './b17-index-lag.js';
import { benchGraphQL } from './b18-graphql.js';
import { benchReplicaReads } from './b19-replica-reads.js';
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

const costs = (perService: Readonly<Record<string, number>>) =>
  Object.entries(perService)
    .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
    .join(', ');

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
      rows: [koa, command.ratio, command.storeGroupCommit],
      notes: [
        `B2 latency at ${latency.ratePerSecond} commands/s (${process.env.BENCH_B2_RATE ? 'BENCH_B2_RATE' : 'half the maximum'}), open loop, ${latency.count} requests, ${latency.errors} errors: ${formatLatency(latency)} (goal p99 ≤ 10 ms)`,
        `B2 command node CPU per command: ${command.nodeCpuMicrosPerCommand.toFixed(0)} µs (user + system, over the subject's runs; group commit ${command.groupCommit ? 'on' : 'off'})`,
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
      rows: [b5.projector, b5.partitionsAtOnce, b5.sameRows, b5.rebuild],
      notes: [
        `B5 over ${b5.events} events; full rebuild: ${b5.rebuild.subject.median.toFixed(0)} events/s median (goal ≥ 40000)`,
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
  /** Stepped, not paired: `pairs` does not apply (the baseline is stepped in the same run and cluster). */
  b10: async () => {
    const b10 = await benchMixed();
    await saveResult('b10-mixed', b10);
    const last = b10.subject.steps.filter((step) => step.sustained).at(-1);
    return {
      rows: [],
      notes: [
        `B10 mixed workload (${b10.shape.users} users, ${b10.shape.boards} boards, ${b10.sockets} sockets): highest sustained ${b10.subject.highestSustained ?? 'none'}/s (${b10.perCore?.toFixed(0) ?? '–'}/s per core), p50 ${last?.p50.toFixed(1) ?? '–'} ms, p95 ${last?.p95.toFixed(1) ?? '–'} ms, p99 ${last?.p99.toFixed(1) ?? '–'} ms there; baseline GET /me ${b10.baseline.highestSustained ?? 'none'}/s; ratio ${b10.ratio?.toFixed(3) ?? '–'}×; busiest service ${b10.busiest ? `${b10.busiest.service} (${b10.busiest.cores.toFixed(2)} cores)` : '–'}`,
        `  CPU ms per mixed request above idle (median over the steps): ${costs(b10.cpuMsPerRequest)}`,
        `  CPU ms per read alone: ${costs(b10.byClass.reads?.cpuMsPerRequest ?? {})}`,
        `  CPU ms per write alone: ${costs(b10.byClass.writes?.cpuMsPerRequest ?? {})}`,
      ],
    };
  },
  /** One measurement per server (memory does not need pairs on a noisy machine the way latency does). */
  b12: async () => {
    const b12 = await benchIdleSockets();
    await saveResult('b12-idle-sockets', b12);
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    return {
      rows: [],
      notes: [
        `B12 ${b12.sockets} idle sockets on one node, resident memory per socket: realtime ${kib(b12.subject.bytesPerSocket)}, plain ws ${kib(b12.baseline.bytesPerSocket)}; ratio ${b12.ratio.toFixed(2)}×`,
      ],
    };
  },
  b13: async (pairs) => {
    const b13 = await benchBroadcast(pairs);
    await saveResult('b13-broadcast', b13);
    return {
      rows: [b13.p50, b13.p99],
      notes: [
        `B13 broadcast, ${b13.emitsPerSample} emits at ${b13.ratePerSecond}/s per sample, every sample pooled (${b13.lost} deliveries lost):`,
        `  room of ${b13.rooms.small}: ${formatLatency(b13.baseline)}`,
        `  room of ${b13.rooms.big}: ${formatLatency(b13.subject)}`,
      ],
    };
  },
  b14: async (pairs) => {
    const b14 = await benchDomain(pairs);
    await saveResult('b14-domain', b14);
    return { rows: b14, notes: [] };
  },
  b8: async (pairs) => {
    const b8 = await benchHistory(pairs);
    await saveResult('b8-history', b8);
    return {
      rows: [b8.timeTravel, b8.timeTravelFar, b8.newestPage, b8.middlePage],
      notes: [
        `B8 over a board of ${b8.events} events (projected in ${(b8.projectedMs / 1000).toFixed(0)} s): time travel to the middle p50 ${b8.timeTravel.subject.median.toFixed(0)} ms, ${b8.timeTravelFar.subject.median.toFixed(0)} ms where K-1 events follow the snapshot, newest history page ${b8.newestPage.subject.median.toFixed(0)} ms, a middle page ${b8.middlePage.subject.median.toFixed(0)} ms (medians of the pairs)`,
      ],
    };
  },
  b11: async (pairs) => {
    const b11 = await benchPagination(pairs);
    await saveResult('b11-pagination', b11);
    return { rows: [b11.postgres, b11.pglite], notes: [] };
  },
  b17: async (pairs) => {
    const b17 = await benchIndexLag(pairs);
    await saveResult('b17-index-lag', b17);
    const p95 = (values: number[]) => median(values).toFixed(0);
    return {
      rows: [b17.postgres, b17.opensearch],
      notes: [
        `B17 indexing lag at ${b17.ratePerSecond} tasks/s (open loop, ${b17.tasksPerSample} per run), embedded: searchable p95 (median of the runs) ${p95(b17.p95.postgres)} ms on PostgreSQL full text, ${p95(b17.p95.opensearch)} ms on OpenSearch`,
      ],
    };
  },
  b15: async (pairs) => {
    const b15 = await benchBigBoard(pairs);
    await saveResult('b15-big-board', b15);
    const { bigBoardBytes: bytes } = b15;
    return {
      rows: [b15.dataP50, b15.dataP95, b15.firstCard],
      notes: [
        `B15 big board (${b15.tasks.big} vs ${b15.tasks.small} tasks, ${b15.tasksPerColumn} tasks per column first, ${b15.requestsPerSample} reads per sample): first-screen data p95 ${b15.dataP95.subject.median.toFixed(1)} ms (goal ≤ 300 ms), first cards ${b15.firstCard.subject.median.toFixed(0)} ms after the board page asked (${b15.bigFirstCardFromNavigationMs.toFixed(0)} ms after navigation; goal ≤ 1 s)`,
        `  the ${b15.tasks.big}-task board's first screen is ${(bytes.firstScreen / 1024).toFixed(0)} KB; read whole (the old answer) ${(bytes.whole / 1024 / 1024).toFixed(1)} MB in ${bytes.wholeMs.toFixed(0)} ms`,
      ],
    };
  },
  b16: async (pairs) => {
    const b16 = await benchSearch(pairs);
    await saveResult('b16-search', b16);
    return {
      rows: [b16.p95, b16.p50],
      notes: [
        `B16 search (${b16.shape.tasks} tasks, ${b16.shape.boards} boards, ${b16.shape.users} users, members of ${b16.shape.membershipsPerUser.join('–')} boards each): filled through apply in ${(b16.fillMs.postgres / 1000).toFixed(0)} s (PostgreSQL), ${(b16.fillMs.openSearch / 1000).toFixed(0)} s (OpenSearch); totals that differ: ${b16.disagreements.length === 0 ? 'none' : b16.disagreements.join('; ')}`,
        ...b16.byQuery.map(
          (item) =>
            `  ${item.name}: p50 PostgreSQL ${formatValue(item.postgres)} ms, OpenSearch ${formatValue(item.openSearch)} ms`,
        ),
      ],
    };
  },
  b19: async (pairs) => {
    const b19 = await benchReplicaReads(pairs);
    await saveResult('b19-replica-reads', b19);
    const { load } = b19;
    return {
      rows: [b19.http, b19.direct],
      notes: [
        `B19 ${b19.path}, ${b19.connections} connections, ${b19.secondsPerSample} s per sample; served: ${b19.served}; load average ${load.before.toFixed(2)} → ${load.after.toFixed(2)} on ${load.cores} cores (the replica shares them: no added capacity)`,
      ],
    };
  },
  b18: async (pairs) => {
    const b18 = await benchGraphQL(pairs);
    await saveResult('b18-graphql', b18);
    return {
      rows: [b18.whole, b18.cards],
      notes: [
        `B18 GraphQL over a board of ${b18.tasks} tasks: answers of ${b18.bytes.rest} bytes (REST), ${b18.bytes.whole} (GraphQL, same data), ${b18.bytes.cards} (titles and due dates only)`,
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
