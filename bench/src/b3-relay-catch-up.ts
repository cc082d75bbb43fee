import { randomUUID } from 'node:crypto';
import { boardStreamPrefix, type BoardEvent } from '@primetrade/domain';
import { toEnvelope, type KafkaEventBus, type Position, type StoredEvent } from '@primetrade/platform';
import { createBenchTopic, toMessage } from './lib/kafka.js';
import { interleaved, type RatioResult } from './lib/measure.js';
import { relayBatchSize, startRelay, type RelayContext } from './lib/relayHarness.js';
import { log } from './lib/results.js';

const backlogBoards = 100;
const eventsPerBoard = 200;

interface Backlog {
  /** Exclusive start; null = the store's beginning. */
  readonly from: Position | null;
  readonly to: Position;
  readonly count: number;
}

/** `backlogBoards` boards of `eventsPerBoard` events, appended 100 events at a time. */
async function storeBacklog(context: RelayContext): Promise<Backlog> {
  const from = context.writer.head();
  for (let board = 0; board < backlogBoards; board += 1) {
    const boardId = randomUUID();
    const events: BoardEvent[] = [
      { type: 'BoardCreated', data: { boardId, name: 'Backlog', description: '' } },
      ...Array.from({ length: eventsPerBoard - 1 }, (_, n): BoardEvent => ({
        type: 'BoardRenamed',
        data: { name: `Backlog ${n}` },
      })),
    ];
    for (let start = 0; start < events.length; start += 100)
      await context.writer.append(boardId, events.slice(start, start + 100));
  }
  return { from, to: context.writer.head()!, count: backlogBoards * eventsPerBoard };
}

/** The raw stages of a catch-up, each timed alone: readAll in relay-size batches, then producing those batches. */
async function rawCatchUp(
  context: RelayContext,
  backlog: Backlog,
  topic: string,
): Promise<{ readRate: number; produceRate: number }> {
  const batches: StoredEvent[][] = [];
  let after = backlog.from;
  let read = 0;
  const readStart = performance.now();
  while (read < backlog.count) {
    const batch = await context.store.readAll({ after, streamPrefix: boardStreamPrefix, maxCount: relayBatchSize });
    if (batch.length === 0) throw new Error(`B3: the backlog ended after ${read} of ${backlog.count} events`);
    batches.push(batch);
    read += batch.length;
    after = batch[batch.length - 1]!.position;
  }
  const readSeconds = (performance.now() - readStart) / 1000;
  const produceStart = performance.now();
  for (const batch of batches)
    await context.producer.send({ topic, acks: -1, messages: batch.map((event) => toMessage(toEnvelope(event))) });
  const produceSeconds = (performance.now() - produceStart) / 1000;
  return { readRate: read / readSeconds, produceRate: read / produceSeconds };
}

/** Start (lease campaign included) → the relay's checkpoint reached the backlog's end. */
async function relayCatchUp(
  context: RelayContext,
  backlog: Backlog,
  bus: KafkaEventBus,
  topic: string,
  round: number,
): Promise<number> {
  const started = performance.now();
  const relay = await startRelay(context, {
    bus,
    topic,
    checkpointName: `bench-relay-catch-up-${round}`,
    after: backlog.from,
  });
  try {
    const caughtUp = () => {
      const checkpoint = relay.status().checkpoint;
      return checkpoint !== null && context.store.comparePositions(checkpoint, backlog.to) >= 0;
    };
    while (!caughtUp()) {
      if (performance.now() - started > 120_000) throw new Error('B3: the relay did not catch up within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return backlog.count / ((performance.now() - started) / 1000);
  } finally {
    await relay.stop();
  }
}

export type RelayCatchUp = RatioResult & {
  readonly events: number;
  readonly readRates: number[];
  readonly produceRates: number[];
};

/**
 * B3b: the relay catching up a stored backlog (read, publish in a transaction, checkpoint, batch
 * after batch) vs the slower of its two raw stages on the same events in the same batch size.
 */
export async function benchRelayCatchUp(context: RelayContext, pairs: number): Promise<RelayCatchUp> {
  log(`  B3b: storing a backlog of ${backlogBoards * eventsPerBoard} events`);
  const stored = await storeBacklog(context);
  const relayTopic = await createBenchTopic(context.brokers, 'catch-up', context.logger);
  const rawTopic = await createBenchTopic(context.brokers, 'produce', context.logger);
  const bus = context.relayBus(relayTopic);
  // Connections, the transactional id and topic metadata are ready before anything is timed.
  const warm = (await context.writer.append(randomUUID(), [{ type: 'BoardRenamed', data: { name: 'warm-up' } }]))
    .envelope;
  await bus.publish([warm]);
  await context.producer.send({ topic: rawTopic, acks: -1, messages: [toMessage(warm)] });
  const backlog: Backlog = { from: stored.from, to: context.writer.head()!, count: stored.count + 1 };
  const [readRates, produceRates] = [[] as number[], [] as number[]];
  let round = 0;
  const result = await interleaved({
    name: `B3 relay catch-up of ${backlog.count} events`,
    unit: 'events/s',
    pairs,
    log,
    baseline: {
      label: 'min(raw readAll, raw produce)',
      run: async () => {
        const { readRate, produceRate } = await rawCatchUp(context, backlog, rawTopic);
        readRates.push(readRate);
        produceRates.push(produceRate);
        return Math.min(readRate, produceRate);
      },
    },
    subject: { label: 'relay', run: () => relayCatchUp(context, backlog, bus, relayTopic, (round += 1)) },
  });
  return { ...result, events: backlog.count, readRates, produceRates };
}
