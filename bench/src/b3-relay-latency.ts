import { randomUUID } from 'node:crypto';
import { createBenchTopic, toMessage, watchTopic, type TopicWatcher } from './lib/kafka.js';
import {
  createLatencyHistogram,
  interleaved,
  openLoop,
  pairedRatio,
  recordMs,
  summarize,
  type LatencyHistogram,
  type LatencyResult,
  type LatencySummary,
  type RatioResult,
} from './lib/measure.js';
import { startRelay, type Appended, type RelayContext } from './lib/relayHarness.js';
import { log } from './lib/results.js';

const ratePerSecond = 200;
const loadMs = 5_000;
const boardCount = 50;

/** How a committed event reaches Kafka: the relay (subject) or this process producing it at once (baseline). */
interface DeliveryPath {
  readonly watcher: TopicWatcher;
  /** `performance.now()` of the broker's ack, per event id. */
  readonly ackedAt: Map<string, number>;
  /** The store's recorded_at → ack in ms, per event id, where the path knows it (the relay). */
  readonly recordedAtToAck: Map<string, number>;
  afterCommit(appended: Appended): Promise<void>;
  begin(): Promise<void>;
  /** Returns once every event of the sample was acked. */
  end(): Promise<void>;
}

async function rawProducePath(context: RelayContext): Promise<DeliveryPath> {
  const topic = await createBenchTopic(context.brokers, 'raw', context.logger);
  const ackedAt = new Map<string, number>();
  return {
    watcher: await watchTopic(context.brokers, topic),
    ackedAt,
    recordedAtToAck: new Map(),
    async afterCommit({ envelope }) {
      await context.producer.send({ topic, acks: -1, messages: [toMessage(envelope)] });
      ackedAt.set(envelope.id, performance.now());
    },
    begin: async () => undefined,
    end: async () => undefined,
  };
}

/** The relay, started for each sample at the store's head and stopped after it. */
async function relayPath(context: RelayContext): Promise<DeliveryPath> {
  const topic = await createBenchTopic(context.brokers, 'relay', context.logger);
  const bus = context.relayBus(topic);
  const ackedAt = new Map<string, number>();
  const recordedAtToAck = new Map<string, number>();
  let stop: (() => Promise<void>) | null = null;
  let round = 0;
  return {
    watcher: await watchTopic(context.brokers, topic),
    ackedAt,
    recordedAtToAck,
    afterCommit: async () => undefined,
    async begin() {
      round += 1;
      const relay = await startRelay(context, {
        bus,
        topic,
        checkpointName: `bench-relay-latency-${round}`,
        after: context.writer.head(),
        afterAck: (events) => {
          const [now, wall] = [performance.now(), Date.now()];
          for (const event of events) {
            ackedAt.set(event.id, now);
            // What the relay's `relayCommitToAck` metric observes: the store's recorded_at → ack.
            recordedAtToAck.set(event.id, wall - event.recordedAt.getTime());
          }
        },
      });
      stop = () => relay.stop();
    },
    async end() {
      await stop?.();
      stop = null;
    },
  };
}

interface Pooled {
  readonly commitToVisible: LatencyHistogram;
  readonly commitToAck: LatencyHistogram;
  readonly recordedAtToAck: LatencyHistogram;
}

const createPooled = (): Pooled => ({
  commitToVisible: createLatencyHistogram(),
  commitToAck: createLatencyHistogram(),
  recordedAtToAck: createLatencyHistogram(),
});

interface LatencySample {
  readonly commitToVisibleP50: number;
  readonly commitToAckP50: number;
  readonly appendToVisible: LatencyResult;
}

/**
 * One open-loop sample: single-event appends to `boardCount` boards at `ratePerSecond`, each
 * followed until a consumer of the topic sees it. `pooled` gathers every sample of the path.
 */
async function latencySample(context: RelayContext, path: DeliveryPath, pooled: Pooled): Promise<LatencySample> {
  const boards = Array.from({ length: boardCount }, () => randomUUID());
  const commits = new Map<string, number>();
  const visible = new Map<string, number>();
  let appendToVisible: LatencyResult;
  await path.begin();
  try {
    // Warm-up, not measured: every board created end to end (connections, metadata, subscription).
    await Promise.all(
      boards.map(async (boardId) => {
        const appended = await context.writer.append(boardId, [
          { type: 'BoardCreated', data: { boardId, name: 'Bench', description: '' } },
        ]);
        await path.afterCommit(appended);
        await path.watcher.seen(appended.envelope.id);
      }),
    );
    appendToVisible = await openLoop(ratePerSecond, loadMs, async (i) => {
      const appended = await context.writer.append(boards[i % boards.length]!, [
        { type: 'BoardRenamed', data: { name: `Bench ${i}` } },
      ]);
      commits.set(appended.envelope.id, appended.committedAt);
      await path.afterCommit(appended);
      visible.set(appended.envelope.id, await path.watcher.seen(appended.envelope.id));
    });
  } finally {
    await path.end();
  }
  const [toVisible, toAck] = [createLatencyHistogram(), createLatencyHistogram()];
  for (const [id, committedAt] of commits) {
    const [seenAt, ackAt, recordedLag] = [visible.get(id), path.ackedAt.get(id), path.recordedAtToAck.get(id)];
    if (seenAt !== undefined)
      [toVisible, pooled.commitToVisible].forEach((histogram) => recordMs(histogram, seenAt - committedAt));
    if (ackAt !== undefined)
      [toAck, pooled.commitToAck].forEach((histogram) => recordMs(histogram, ackAt - committedAt));
    if (recordedLag !== undefined) recordMs(pooled.recordedAtToAck, Math.max(0, recordedLag));
  }
  if (appendToVisible.errors > 0)
    log(`  B3 warning: ${appendToVisible.errors} of ${appendToVisible.count} events not seen on the topic in time`);
  return { commitToVisibleP50: summarize(toVisible).p50, commitToAckP50: summarize(toAck).p50, appendToVisible };
}

export interface PathLatency {
  /** Append resolved → broker acked the event. */
  readonly commitToAck: LatencySummary;
  /** Append resolved → a read-committed consumer of the topic received it. */
  readonly commitToVisible: LatencySummary;
  /** Per sample: the append's scheduled start → visible (open loop, includes the append). */
  readonly appendToVisible: LatencyResult[];
}

export interface RelayLatency {
  readonly commitToVisible: RatioResult;
  readonly commitToAck: RatioResult;
  readonly ratePerSecond: number;
  readonly loadMs: number;
  readonly baseline: PathLatency;
  readonly subject: PathLatency & { readonly recordedAtToAck: LatencySummary };
}

/**
 * B3a: appends at a fixed rate with the relay following the store, vs the same appends each
 * produced by this process at once with a plain producer. Every figure starts when the append
 * resolved in this process and ends on the same clock.
 */
export async function benchRelayLatency(context: RelayContext, pairs: number): Promise<RelayLatency> {
  const [raw, relayed] = [await rawProducePath(context), await relayPath(context)];
  const [rawPooled, relayPooled] = [createPooled(), createPooled()];
  const samples = { raw: [] as LatencySample[], relay: [] as LatencySample[] };
  const sample = async (side: 'raw' | 'relay') => {
    const result = await latencySample(
      context,
      side === 'raw' ? raw : relayed,
      side === 'raw' ? rawPooled : relayPooled,
    );
    samples[side].push(result);
    return result.commitToVisibleP50;
  };
  try {
    log(`  B3a: ${ratePerSecond} appends/s for ${loadMs / 1000} s per sample, open loop`);
    const commitToVisible = await interleaved({
      name: 'B3 commit → consumer sees it, p50',
      unit: 'ms',
      pairs,
      log,
      baseline: { label: 'raw produce', run: () => sample('raw') },
      subject: { label: 'relay', run: () => sample('relay') },
    });
    const commitToAck = pairedRatio({
      name: 'B3 commit → Kafka ack, p50',
      unit: 'ms',
      baseline: { label: 'raw produce', samples: samples.raw.map((s) => s.commitToAckP50) },
      subject: { label: 'relay', samples: samples.relay.map((s) => s.commitToAckP50) },
    });
    const summaries = (pooled: Pooled, of: LatencySample[]): PathLatency => ({
      commitToAck: summarize(pooled.commitToAck),
      commitToVisible: summarize(pooled.commitToVisible),
      appendToVisible: of.map((s) => s.appendToVisible),
    });
    return {
      commitToVisible,
      commitToAck,
      ratePerSecond,
      loadMs,
      baseline: summaries(rawPooled, samples.raw),
      subject: { ...summaries(relayPooled, samples.relay), recordedAtToAck: summarize(relayPooled.recordedAtToAck) },
    };
  } finally {
    await raw.watcher.close();
    await relayed.watcher.close();
  }
}
