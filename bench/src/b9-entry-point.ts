import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import kafkajs from 'kafkajs';
import { io as connect, type Socket } from 'socket.io-client';
import type { Envelope } from '@primetrade/domain';
import { createTestDatabase } from '@primetrade/platform';
import { startKafka } from '../../infra/kafka/kafka.mjs';
import { startCluster, type Cluster } from '../../infra/cluster/dist/cluster.js';
import { backendsOf, clusterProcessGroups } from './lib/clusterCpu.js';
import { cpuMeter, thisProcess, type CoreUse } from './lib/cpu.js';
import { startEmbeddedProcess } from './lib/embeddedProcess.js';
import { entryPoint } from './lib/entryPoint.js';
import { median } from './lib/measure.js';
import { residentAtRestMb } from './lib/resident.js';
import { log } from './lib/results.js';
import { stageMedians, startTraceCollector, type TraceCollector, type TracedWrite } from './lib/traceStages.js';
import { fetchJson } from './lib/fetchJson.js';

const clientsTotal = 50;
const writesPerRound = 200;

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface RoundResult extends Percentiles {
  readonly label: string;
  readonly deliveries: number;
  readonly missing: number;
  /** Medians per write, ms from the request's start: HTTP answer, first and last socket receipt. */
  readonly stages: {
    readonly answered: number;
    readonly firstSocket: number;
    readonly lastSocket: number;
    readonly kafkaVisible?: number;
    /** The 99th percentile over the writes of the first and the last socket's receipt. */
    readonly firstSocketP99: number;
    readonly lastSocketP99: number;
  };
}

export interface EntryPointResult {
  readonly name: string;
  readonly pairs: number;
  readonly clients: number;
  readonly writesPerRound: number;
  readonly embedded: RoundResult[];
  readonly cluster: RoundResult[];
  readonly embeddedMedian: Percentiles;
  readonly clusterMedian: Percentiles;
  /** Median over pairs of cluster / embedded, per percentile. */
  readonly ratio: Percentiles;
  /** Relay means over the measured rounds, from its own metrics (ms). */
  readonly relay: { readonly commitToAckMeanMs: number | null };
  /** Means over the measured rounds from the services' own metrics (ms), summed over their nodes. */
  readonly serviceMeansMs: Readonly<Record<string, number | null>>;
  /** With B9_TRACE=1: per cluster round, stage medians from the services' spans (lib/traceStages.ts). */
  readonly tracedStages?: ReturnType<typeof stageMedians>[];
  /** The embedded process's resident memory at rest (VmRSS, MB): started on an empty data directory, and after the rounds. */
  readonly embeddedResidentMb: { readonly afterStart: number; readonly afterLoad: number };
  /**
   * CPU milliseconds per write by process group (median over the rounds), each mode's own rounds:
   * `machine (all processes)` is the whole machine's, other work on it included.
   */
  readonly cpuMsPerWrite: { readonly cluster: Record<string, number>; readonly embedded: Record<string, number> };
  /** Cores each process group used at rest, before the measured rounds (`idleMs` without writes). */
  readonly idleCores: { readonly cluster: Record<string, number>; readonly embedded: Record<string, number> };
  readonly goal: string;
}

export interface Target {
  readonly label: string;
  readonly url: string;
  readonly writer: string;
  readonly boardId: string;
  readonly sockets: Socket[];
}

async function joinedSocket(url: string, token: string, boardId: string): Promise<Socket> {
  const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  // The read model learns the membership a moment after the write: join again until it has.
  for (let attempt = 0; ; attempt += 1) {
    const ack = (await socket.timeout(10_000).emitWithAck('board:join', { boardId })) as { ok: boolean };
    if (ack.ok) return socket;
    if (attempt > 100) throw new Error(`board:join refused: ${JSON.stringify(ack)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One writer, one board, `clientsTotal` readers' sockets, all through `url`. */
export async function prepare(label: string, url: string): Promise<Target> {
  const api = `${url}/api/v1`;
  const register = async (name: string) =>
    (
      await fetchJson<{ accessToken: string }>(`${api}/auth/register`, 'POST', {
        email: `${name}@bench.test`,
        password: `${name} password for the bench`,
        name,
      })
    ).body.accessToken;
  const writer = await register('writer');
  const reader = await register('reader');
  const created = await fetchJson<{ board: { id: string } }>(`${api}/boards`, 'POST', { name: 'Bench board' }, writer);
  const boardId = created.body.board.id;
  await fetchJson(`${api}/boards/${boardId}/members`, 'POST', { email: 'reader@bench.test', role: 'viewer' }, writer);
  const sockets: Socket[] = [];
  for (let n = 0; n < clientsTotal; n += 1) sockets.push(await joinedSocket(url, reader, boardId));
  return { label, url, writer, boardId, sockets };
}

/** When each marker's event became visible to a read-committed consumer of the topic (the bench's own). */
async function watchMarkers(brokers: readonly string[], topic: string) {
  const kafka = new kafkajs.Kafka({
    clientId: 'bench-b9-watch',
    brokers: [...brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `bench-b9-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 500 });
  const seen = new Map<string, number>();
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const at = performance.now();
      const title = (JSON.parse(message.value?.toString('utf8') ?? '{}') as { data?: { title?: unknown } }).data?.title;
      if (typeof title === 'string') seen.set(title, at);
    },
  });
  await joined;
  return { seen, close: () => consumer.disconnect() };
}

/** Writes one at a time; each write's latency to every socket goes into the histogram. */
export async function round(
  target: Target,
  seenInKafka?: Map<string, number>,
  traced?: { readonly collector: TraceCollector; readonly writes: TracedWrite[] },
): Promise<RoundResult> {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const run = randomBytes(3).toString('hex');
  const stages = {
    answered: [] as number[],
    firstSocket: [] as number[],
    lastSocket: [] as number[],
    kafkaVisible: [] as number[],
  };
  let deliveries = 0;
  let missing = 0;
  for (let i = 0; i < writesPerRound; i += 1) {
    const marker = `b9-${run}-${i}`;
    const receipts: number[] = [];
    let allArrived: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (allArrived = resolve));
    const offs = target.sockets.map((socket) => {
      const onEvents = (payload: { events: Envelope[] }) => {
        if (!payload.events.some((event) => (event.data as { title?: string }).title === marker)) return;
        receipts.push(performance.now());
        if (receipts.length === target.sockets.length) allArrived();
      };
      socket.on('board:events', onEvents);
      return () => socket.off('board:events', onEvents);
    });
    const requestId = traced?.collector.newRequestId();
    const start = performance.now();
    if (requestId) traced?.writes.push({ requestId, startedAt: performance.timeOrigin + start });
    const response = await fetch(`${target.url}/api/v1/boards/${target.boardId}/tasks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${target.writer}`,
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
      body: JSON.stringify({ title: marker }),
    });
    await response.arrayBuffer();
    stages.answered.push(performance.now() - start);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([arrived, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
    for (const off of offs) off();
    for (const at of receipts) histogram.recordValue(Math.max(1, Math.round((at - start) * 1000)));
    deliveries += receipts.length;
    missing += target.sockets.length - receipts.length;
    if (receipts.length > 0) {
      stages.firstSocket.push(Math.min(...receipts) - start);
      stages.lastSocket.push(Math.max(...receipts) - start);
    }
    const visible = seenInKafka?.get(marker);
    if (visible !== undefined) stages.kafkaVisible.push(visible - start);
  }
  const ms = (percentile: number) => histogram.getValueAtPercentile(percentile) / 1000;
  return {
    label: target.label,
    deliveries,
    missing,
    p50: ms(50),
    p95: ms(95),
    p99: ms(99),
    stages: {
      answered: median(stages.answered),
      firstSocket: median(stages.firstSocket),
      lastSocket: median(stages.lastSocket),
      firstSocketP99: percentileOf(stages.firstSocket, 0.99),
      lastSocketP99: percentileOf(stages.lastSocket, 0.99),
      ...(stages.kafkaVisible.length > 0 ? { kafkaVisible: median(stages.kafkaVisible) } : {}),
    },
  };
}

/** The value below which `share` of `values` lie (nearest rank). */
function percentileOf(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? 0;
}

/** How long B9 measures each mode at rest. */
const idleMs = 5_000;

const roundedPerKey = (values: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Math.round(value * 1000) / 1000]));

/** Per key, the median over the samples, rounded to 0.01. */
function medianPerKey(samples: readonly Record<string, number>[]): Record<string, number> {
  const keys = Object.keys(samples[0] ?? {});
  return Object.fromEntries(
    keys.map((key) => [key, Math.round(median(samples.map((sample) => sample[key] ?? 0)) * 100) / 100]),
  );
}

/** Sum and count of a Prometheus histogram on a `/metrics` page (every label set added up). */
async function histogramTotals(metricsUrl: string, name: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const value = (suffix: string) =>
    [...text.matchAll(new RegExp(`^${name}_${suffix}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
      (sum, match) => sum + Number(match[1] ?? 0),
      0,
    );
  return { sum: value('sum'), count: value('count') };
}

/** What each stage's own metric says: histogram means over a stretch of the run, per service kind. */
function stageMeters(cluster: Cluster) {
  const meters = {
    'command-api: command handling': {
      urls: cluster.api.map((node) => `${node.url()}/metrics`),
      metric: 'primetrade_command_duration_seconds',
    },
    'command-api: store append': {
      urls: cluster.api.map((node) => `${node.url()}/metrics`),
      metric: 'primetrade_event_store_append_duration_seconds',
    },
    'relay: store commit → Kafka ack': {
      urls: cluster.relays.map((node) => `${node.url()}/metrics`),
      metric: 'primetrade_relay_commit_to_ack_seconds',
    },
    'realtime: command → emit': {
      urls: cluster.realtime.map((node) => `${node.url()}/metrics`),
      metric: 'primetrade_push_latency_seconds',
    },
  };
  const totals = async () =>
    Promise.all(
      Object.values(meters).map(async ({ urls, metric }) => {
        const each = await Promise.all(
          urls.map((url) => histogramTotals(url, metric).catch(() => ({ sum: 0, count: 0 }))),
        );
        return each.reduce((all, one) => ({ sum: all.sum + one.sum, count: all.count + one.count }), {
          sum: 0,
          count: 0,
        });
      }),
    );
  return {
    async start() {
      const before = await totals();
      return async (): Promise<Record<string, number | null>> => {
        const after = await totals();
        return Object.fromEntries(
          Object.keys(meters).map((name, index) => {
            const [b, a] = [before[index]!, after[index]!];
            return [name, a.count > b.count ? ((a.sum - b.sum) / (a.count - b.count)) * 1000 : null];
          }),
        );
      };
    },
  };
}

/** Waits for the services' span exports (every 5 s), then the stage medians of each traced round. */
async function tracedStageMedians(collector: TraceCollector, rounds: readonly (readonly TracedWrite[])[]) {
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  return rounds.map((writes, index) => {
    const stages = stageMedians(collector, writes);
    log(`  B9 traced round ${index + 1}, ms from the request's start: ${JSON.stringify(stages.fromStart)}`);
    log(`  B9 traced round ${index + 1}, step from the stage before: ${JSON.stringify(stages.step)}`);
    log(`  B9 traced round ${index + 1}, step p90: ${JSON.stringify(stages.stepP90)}`);
    log(`  B9 traced round ${index + 1}, step, slowest 5% of writes: ${JSON.stringify(stages.stepTail)}`);
    return stages;
  });
}

/**
 * B9: one writer over HTTP, `clientsTotal` sockets on its board, `writesPerRound` writes one after
 * another; latency from the request's start to each socket's receipt. The cluster (2 command-api,
 * relay + standby, projector, 2 realtime with the Redis adapter, Kafka) is reached only through its
 * single entry point; embedded mode, a process of its own, is the baseline, interleaved in one run.
 */
export async function benchEntryPoint(pairs: number): Promise<EntryPointResult> {
  const work = await mkdtemp(path.join(tmpdir(), 'pt-b9-'));
  const cleanup: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })];
  const sockets: Socket[] = [];
  try {
    const kafka = await startKafka({ dataDir: path.join(work, 'kafka'), heap: '384m' });
    cleanup.unshift(() => kafka.stop());
    const database = await createTestDatabase('b9');
    cleanup.unshift(() => database.drop());
    // The event store in a database of its own, as `npm run cluster` runs it (ADR 0030);
    // B9_SHARED_STORE=1 keeps it in the read models' database, as before, for comparison.
    const store = process.env.B9_SHARED_STORE === '1' ? database : await createTestDatabase('b9_store');
    if (store !== database) cleanup.unshift(() => store.drop());
    const topic = `pt-bench-b9-${randomBytes(4).toString('hex')}`;
    // One reader account holds all 50 sockets: above the per-account socket cap a person needs.
    const limits = {
      RATE_LIMIT_API_PER_MINUTE: '100000000',
      RATE_LIMIT_REGISTER_PER_HOUR: '1000',
      REALTIME_MAX_SOCKETS_PER_USER: '1000',
    };
    // B9_TRACE=1: the cluster's services export their spans to the bench, which reports per-stage times.
    const collector = process.env.B9_TRACE === '1' ? await startTraceCollector() : null;
    if (collector) cleanup.unshift(() => collector.close());
    const tracing: Record<string, string> = collector
      ? { OTEL_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint }
      : {};
    // B9_CPU_PROF_DIR=dir: every cluster service writes a V8 CPU profile there when it stops, the
    // embedded process into dir/embedded.
    const profileDir = process.env.B9_CPU_PROF_DIR;
    const cluster = await startCluster({
      databaseUrl: database.url,
      storeUrl: store.url,
      kafkaBrokers: kafka.brokers,
      redisUrl: 'redis://127.0.0.1:6379',
      topic,
      partitions: 8,
      redisKeyPrefix: `pt:bench-b9:${randomBytes(4).toString('hex')}:`,
      jwtSecret: randomBytes(48).toString('base64url'),
      logLevel: 'info',
      // B9_RELAY_TRANSACTIONS=1: the relay publishes in Kafka transactions, as before ADR 0035.
      env: {
        ...limits,
        PG_POOL_MAX: '10',
        ...tracing,
        RELAY_KAFKA_TRANSACTIONS: process.env.B9_RELAY_TRANSACTIONS === '1' ? 'true' : 'false',
      },
      ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] } : {}),
    });
    cleanup.unshift(() => cluster.stop());
    const embedded = await startEmbeddedProcess(
      path.join(work, 'embedded'),
      { ...limits, JWT_SECRET: randomBytes(48).toString('base64url') },
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir, 'embedded')}`] : [],
    );
    cleanup.unshift(() => embedded.stop());
    const afterStart = await residentAtRestMb(embedded.pid);
    // B9_KAFKA_STAGE=1: a consumer of the bench's own reads the topic to time "Kafka-visible". It is
    // one more consumer than production has, costing the broker and this process CPU on every write,
    // so plain runs go without it (B9_TRACE=1 times the same hop from the realtime node's span).
    const watcher = process.env.B9_KAFKA_STAGE === '1' ? await watchMarkers(kafka.brokers, topic) : null;
    if (watcher) cleanup.unshift(() => watcher.close());

    const clusterTarget = await prepare('cluster via entry point', entryPoint(cluster));
    const embeddedTarget = await prepare('embedded', embedded.url);
    sockets.push(...clusterTarget.sockets, ...embeddedTarget.sockets);
    log(
      `  B9: ${clientsTotal} clients on one board in each mode, connected through ${clusterTarget.url} and ${embeddedTarget.url}`,
    );
    await round(embeddedTarget);
    await round(clusterTarget, watcher?.seen);

    const relayMetrics = `${cluster.relays[0]?.url() ?? ''}/metrics`;
    const relayBefore = await histogramTotals(relayMetrics, 'primetrade_relay_commit_to_ack_seconds').catch(() => null);
    const meters = stageMeters(cluster);
    const stopMeters = await meters.start();
    const embeddedRounds: RoundResult[] = [];
    const clusterRounds: RoundResult[] = [];
    // CPU per write by service: what the two shared cores spend on each write, in each mode.
    const clusterMeter = cpuMeter(
      clusterProcessGroups(cluster, kafka.pid, backendsOf(database.sql, [...new Set([database.name, store.name])])),
    );
    const embeddedMeter = cpuMeter([{ name: 'embedded process', pids: () => [embedded.pid] }, thisProcess]);
    // What the two modes use while nobody writes: polling and timers, paid by every write's latency too.
    const idleFor = async (meter: ReturnType<typeof cpuMeter>) => {
      const stop = await meter.start();
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      return roundedPerKey(await stop());
    };
    const idleCores = { cluster: await idleFor(clusterMeter), embedded: await idleFor(embeddedMeter) };
    log(`  B9 cores in use at rest (${idleMs / 1000} s without writes): ${JSON.stringify(idleCores)}`);
    const clusterCpu: CoreUse[] = [];
    const embeddedCpu: CoreUse[] = [];
    const cpuPerWrite = async (meter: ReturnType<typeof cpuMeter>, run: () => Promise<RoundResult>) => {
      const stop = await meter.start();
      const started = performance.now();
      const result = await run();
      const cores = await stop();
      const seconds = (performance.now() - started) / 1000;
      return {
        result,
        msPerWrite: Object.fromEntries(
          Object.entries(cores).map(([name, use]) => [name, (use * seconds * 1000) / writesPerRound]),
        ),
      };
    };
    const tracedRounds: TracedWrite[][] = [];
    for (let pair = 0; pair < pairs; pair += 1) {
      const embeddedRun = await cpuPerWrite(embeddedMeter, () => round(embeddedTarget));
      embeddedRounds.push(embeddedRun.result);
      embeddedCpu.push(embeddedRun.msPerWrite);
      const writes: TracedWrite[] = [];
      tracedRounds.push(writes);
      const clusterRun = await cpuPerWrite(clusterMeter, () =>
        round(clusterTarget, watcher?.seen, collector ? { collector, writes } : undefined),
      );
      clusterRounds.push(clusterRun.result);
      clusterCpu.push(clusterRun.msPerWrite);
      const [e, c] = [embeddedRounds.at(-1)!, clusterRounds.at(-1)!];
      log(
        `  B9 pair ${pair + 1}/${pairs}: embedded p50 ${e.p50.toFixed(2)} p99 ${e.p99.toFixed(2)} ms; cluster p50 ${c.p50.toFixed(2)} p99 ${c.p99.toFixed(2)} ms (${c.deliveries} deliveries, ${c.missing + e.missing} missing); cluster stages ${JSON.stringify(c.stages)}`,
      );
    }
    const tracedStages = collector ? await tracedStageMedians(collector, tracedRounds) : undefined;
    const relayAfter = await histogramTotals(relayMetrics, 'primetrade_relay_commit_to_ack_seconds').catch(() => null);
    const serviceMeansMs = await stopMeters();
    const embeddedResidentMb = { afterStart, afterLoad: await residentAtRestMb(embedded.pid) };
    log(`  B9 stage means from the services' metrics (ms): ${JSON.stringify(serviceMeansMs)}`);
    const cpuMsPerWrite = { cluster: medianPerKey(clusterCpu), embedded: medianPerKey(embeddedCpu) };
    log(`  B9 CPU ms per write by process group (median of the rounds): ${JSON.stringify(cpuMsPerWrite)}`);
    const relayCount = relayBefore && relayAfter ? relayAfter.count - relayBefore.count : 0;
    const medians = (list: RoundResult[]): Percentiles => ({
      p50: median(list.map((r) => r.p50)),
      p95: median(list.map((r) => r.p95)),
      p99: median(list.map((r) => r.p99)),
    });
    const ratioOf = (key: keyof Percentiles) => median(clusterRounds.map((c, n) => c[key] / embeddedRounds[n]![key]));
    return {
      name: 'B9 one writer, 50 sockets on one board: cluster through its entry point vs embedded',
      pairs,
      clients: clientsTotal,
      writesPerRound,
      embedded: embeddedRounds,
      cluster: clusterRounds,
      embeddedMedian: medians(embeddedRounds),
      clusterMedian: medians(clusterRounds),
      ratio: { p50: ratioOf('p50'), p95: ratioOf('p95'), p99: ratioOf('p99') },
      relay: {
        commitToAckMeanMs:
          relayCount > 0 && relayBefore && relayAfter ? ((relayAfter.sum - relayBefore.sum) / relayCount) * 1000 : null,
      },
      serviceMeansMs,
      cpuMsPerWrite,
      idleCores,
      ...(tracedStages ? { tracedStages } : {}),
      embeddedResidentMb,
      goal: 'cluster p50 ≤ 12 ms, p99 ≤ 25 ms through the entry point on a quiet machine',
    };
  } finally {
    for (const socket of sockets) socket.close();
    for (const step of cleanup) await step().catch(() => undefined);
  }
}
