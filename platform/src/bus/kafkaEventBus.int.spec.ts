import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Envelope } from '@primetrade/domain';
import { createLogger } from '../observability/logger.js';
import { uniqueTopic } from '../testkit/kafka.testkit.js';
import { boardEnvelopes } from './eventBus.contractSuite.js';
import { HaltPartitionError, ProducerFencedError, type Delivery } from './eventBus.port.js';
import kafkajs from 'kafkajs';
import { encodeEnvelope } from './kafkaCodec.js';
import { createKafkaEventBus, type KafkaEventBus } from './kafkaEventBus.js';
import { deleteTopics, ensureBoardEventsTopic } from './kafkaTopics.js';

const logger = createLogger({ level: 'silent', name: 'kafka-bus-test' });
const brokers = inject('kafkaBrokers').split(',');
const partitions = 4;

const boardEvents = boardEnvelopes;

const revisionsBy = (events: readonly Envelope[], boardId: string) =>
  events.filter((e) => e.boardId === boardId).map((e) => e.revision);

// What every bus promises (delivery per group, order per board, redelivery of a rejected batch,
// stop, producer terms) is in eventBus.contractSuite.ts; these are Kafka's own guarantees.
describe('Kafka event bus', () => {
  const topics: string[] = [];
  const buses: KafkaEventBus[] = [];

  async function freshBus(): Promise<KafkaEventBus> {
    const topic = uniqueTopic('bus');
    topics.push(topic);
    await ensureBoardEventsTopic({ brokers, topic, partitions, logger });
    const bus = createKafkaEventBus({ brokers, topic, clientId: 'bus-test', logger, watchdogMs: 20_000 });
    buses.push(bus);
    return bus;
  }

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    if (topics.length > 0) await deleteTopics(brokers, topics, logger);
  });

  describe('when events of several boards are published', () => {
    let bus: KafkaEventBus;
    const boards = Array.from({ length: 6 }, () => randomUUID());
    const published: Envelope[] = [];
    beforeAll(async () => {
      bus = await freshBus();
      for (let round = 0; round < 5; round += 1) {
        const batch = boards.flatMap((boardId) => boardEvents(boardId, 3, round * 3));
        published.push(...batch);
        await bus.publish(batch);
      }
    });

    it('delivers every event to each group once per group, in per-board order, with its partition and offsets', async () => {
      const seen = new Map<
        string,
        { events: Envelope[]; deliveries: Delivery[]; partitionOf: Map<string, Set<number>> }
      >();
      const subscriptions = await Promise.all(
        ['group-a', 'group-b'].map(async (name) => {
          const group = `${name}-${randomUUID()}`;
          const log = {
            events: [] as Envelope[],
            deliveries: [] as Delivery[],
            partitionOf: new Map<string, Set<number>>(),
          };
          seen.set(name, log);
          return bus.subscribe(group, async (events, delivery) => {
            log.events.push(...events);
            if (!delivery) throw new Error('Kafka deliveries name their partition');
            log.deliveries.push(delivery);
            expect(delivery.offsets).toHaveLength(events.length);
            for (const event of events)
              log.partitionOf.set(
                event.boardId,
                (log.partitionOf.get(event.boardId) ?? new Set()).add(delivery.partition),
              );
          });
        }),
      );
      for (const log of seen.values()) {
        await vi.waitFor(() => expect(log.events).toHaveLength(published.length), { timeout: 30_000, interval: 10 });
        for (const boardId of boards)
          expect(revisionsBy(log.events, boardId)).toEqual(Array.from({ length: 15 }, (_, n) => n));
        // All of one board's events share a partition.
        for (const boardId of boards) expect(log.partitionOf.get(boardId)?.size).toBe(1);
        for (const delivery of log.deliveries) {
          expect(delivery.offsets.map(BigInt)).toEqual(
            [...delivery.offsets.map(BigInt)].sort((a, b) => (a < b ? -1 : 1)),
          );
        }
      }
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    });

    it('resumes a group from where it stopped, not from the beginning', async () => {
      const group = `resume-${randomUUID()}`;
      const first: Envelope[] = [];
      const one = await bus.subscribe(group, async (batch) => void first.push(...batch));
      await vi.waitFor(() => expect(first).toHaveLength(published.length), { timeout: 30_000, interval: 10 });
      await one.stop();
      const extra = boards.flatMap((boardId) => boardEvents(boardId, 1, 15));
      await bus.publish(extra);
      const second: Envelope[] = [];
      const two = await bus.subscribe(group, async (batch) => void second.push(...batch));
      await vi.waitFor(
        () => expect(second.map((e) => e.revision).filter((r) => r === 15)).toHaveLength(boards.length),
        { timeout: 30_000, interval: 10 },
      );
      expect(second.filter((e) => e.revision < 15)).toEqual([]);
      await two.stop();
    });
  });

  it('halts only the partition whose handler says so, and reports it', async () => {
    const bus = await freshBus();
    const boards = Array.from({ length: 12 }, () => randomUUID());
    await bus.publish(boards.flatMap((boardId) => boardEvents(boardId, 2)));
    const poisoned = boards[0]!;
    const events: Envelope[] = [];
    const subscription = await bus.subscribe(`halt-${randomUUID()}`, async (batch, delivery) => {
      if (batch.some((e) => e.boardId === poisoned))
        throw new HaltPartitionError(new Error(`gap on ${poisoned} in partition ${delivery?.partition}`));
      events.push(...batch);
    });
    await vi.waitFor(() => expect(subscription.halted?.()).toHaveLength(1), { timeout: 30_000, interval: 10 });
    const [halted] = subscription.halted?.() ?? [];
    expect(halted?.reason).toContain(poisoned);
    // Every board outside the halted partition is delivered whole.
    await vi.waitFor(
      () => {
        const delivered = new Set(events.map((e) => e.boardId));
        expect(delivered.size).toBeGreaterThan(0);
        expect(delivered.has(poisoned)).toBe(false);
      },
      { timeout: 30_000, interval: 10 },
    );
    await subscription.stop();
  });

  it('fences the older of two transactional producers with the same id, and readers never see its uncommitted writes', async () => {
    const first = await freshBus();
    const topic = topics[topics.length - 1]!;
    const transactionalId = `relay-${randomUUID()}`;
    const older = createKafkaEventBus({ brokers, topic, clientId: 'older', logger, transactionalId });
    const newer = createKafkaEventBus({ brokers, topic, clientId: 'newer', logger, transactionalId });
    buses.push(older, newer);
    const board = randomUUID();
    await older.publish(boardEvents(board, 2));
    await newer.publish(boardEvents(board, 2, 2));
    await expect(older.publish(boardEvents(board, 1, 99))).rejects.toThrow(ProducerFencedError);
    const seen: Envelope[] = [];
    const subscription = await first.subscribe(`fence-${randomUUID()}`, async (events) => void seen.push(...events));
    await vi.waitFor(() => expect(revisionsBy(seen, board)).toEqual([0, 1, 2, 3]), { timeout: 30_000, interval: 10 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(revisionsBy(seen, board)).toEqual([0, 1, 2, 3]);
    await subscription.stop();
  });

  it('reports nothing remaining once a group has read every transaction, commit markers included', async () => {
    await freshBus();
    const topic = topics[topics.length - 1]!;
    const relay = createKafkaEventBus({
      brokers,
      topic,
      clientId: 'remaining',
      logger,
      transactionalId: `relay-${randomUUID()}`,
    });
    buses.push(relay);
    const board = randomUUID();
    // Three transactions on one partition: each ends with a commit marker taking an offset of its own.
    for (let batch = 0; batch < 3; batch += 1) await relay.publish(boardEvents(board, 2, batch * 2));
    const deliveries: Delivery[] = [];
    const seen: Envelope[] = [];
    const subscription = await relay.subscribe(`remaining-${randomUUID()}`, async (events, delivery) => {
      seen.push(...events);
      if (delivery) deliveries.push(delivery);
    });
    try {
      await vi.waitFor(() => expect(revisionsBy(seen, board)).toEqual([0, 1, 2, 3, 4, 5]), {
        timeout: 30_000,
        interval: 10,
      });
      expect(deliveries.at(-1)?.remaining).toBe(0);
    } finally {
      await subscription.stop();
    }
  });

  it('looks up the transaction coordinator once per producer, not before every AddPartitionsToTxn and EndTxn (docs/adr/0025)', async () => {
    await freshBus();
    const topic = topics[topics.length - 1]!;
    const broker = createRequire(import.meta.url)('kafkajs/src/broker/index.js') as {
      prototype: { findGroupCoordinator(args: { coordinatorType?: number }): Promise<unknown> };
    };
    const relay = createKafkaEventBus({
      brokers,
      topic,
      clientId: 'lookups',
      logger,
      transactionalId: `relay-${randomUUID()}`,
    });
    buses.push(relay);
    const board = randomUUID();
    await relay.publish(boardEvents(board, 2)); // connects: InitProducerId, the one lookup
    const lookups = vi.spyOn(broker.prototype, 'findGroupCoordinator');
    try {
      for (let batch = 1; batch <= 4; batch += 1) {
        // Apart, so no batch meets the last one's commit still completing (CONCURRENT_TRANSACTIONS,
        // retried after a metadata refresh, which asks again on purpose).
        await new Promise((resolve) => setTimeout(resolve, 100));
        await relay.publish(boardEvents(board, 2, batch * 2));
      }
      const transactionLookups = lookups.mock.calls.filter(([args]) => args.coordinatorType === 1);
      // kafkajs alone asks before each AddPartitionsToTxn and EndTxn: 8 here.
      expect(transactionLookups.length).toBe(0);
    } finally {
      lookups.mockRestore();
    }
  });

  it('delivers an open transaction’s messages to a read-uncommitted group at once, and to a read-committed one only after the commit', async () => {
    const bus = await freshBus();
    const topic = topics[topics.length - 1]!;
    const board = randomUUID();
    const early: Envelope[] = [];
    const committed: Envelope[] = [];
    const subscriptions = [
      await bus.subscribe(`early-${randomUUID()}`, async (events) => void early.push(...events), {
        readUncommitted: true,
      }),
      await bus.subscribe(`committed-${randomUUID()}`, async (events) => void committed.push(...events)),
    ];
    const producer = new kafkajs.Kafka({ clientId: 'open-txn', brokers, logLevel: kafkajs.logLevel.NOTHING }).producer({
      transactionalId: `open-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const transaction = await producer.transaction();
      await transaction.send({
        topic,
        acks: -1,
        messages: boardEvents(board, 3).map((event) => encodeEnvelope(event)),
      });
      await vi.waitFor(() => expect(revisionsBy(early, board)).toEqual([0, 1, 2]), { timeout: 30_000, interval: 10 });
      expect(revisionsBy(committed, board)).toEqual([]);
      await transaction.commit();
      await vi.waitFor(() => expect(revisionsBy(committed, board)).toEqual([0, 1, 2]), {
        timeout: 30_000,
        interval: 10,
      });
    } finally {
      await producer.disconnect();
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    }
  });

  it('gathers the writes of a window into one delivery for a group with gatherMs, and delivers each at once without (docs/adr/0034)', async () => {
    const bus = await freshBus();
    const board = randomUUID();
    const gathered: Envelope[][] = [];
    const immediate: Envelope[][] = [];
    const subscriptions = [
      await bus.subscribe(`gather-${randomUUID()}`, async (events) => void gathered.push([...events]), {
        gatherMs: 800,
      }),
      await bus.subscribe(`immediate-${randomUUID()}`, async (events) => void immediate.push([...events])),
    ];
    try {
      // Both groups are fetching before the first write: one warm-up event each sees.
      await bus.publish(boardEvents(board, 1));
      await vi.waitFor(() => expect([gathered.flat().length, immediate.flat().length]).toEqual([1, 1]), {
        timeout: 30_000,
        interval: 10,
      });
      const [warmGathered, warmImmediate] = [gathered.length, immediate.length];
      // Six single-event writes 60 ms apart: well inside one gathering window.
      for (let revision = 1; revision <= 6; revision += 1) {
        await bus.publish(boardEvents(board, 1, revision));
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      const all = [0, 1, 2, 3, 4, 5, 6];
      await vi.waitFor(() => expect(revisionsBy(gathered.flat(), board)).toEqual(all), {
        timeout: 30_000,
        interval: 10,
      });
      await vi.waitFor(() => expect(revisionsBy(immediate.flat(), board)).toEqual(all), {
        timeout: 30_000,
        interval: 10,
      });
      // A fetch already waiting when the first write landed may answer with a part: two at most.
      expect(gathered.length - warmGathered).toBeLessThanOrEqual(2);
      expect(immediate.length - warmImmediate).toBeGreaterThanOrEqual(3);
    } finally {
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    }
  });

  it('refuses an existing topic whose partition count differs from the configured one', async () => {
    const topic = uniqueTopic('fixed');
    topics.push(topic);
    await ensureBoardEventsTopic({ brokers, topic, partitions: 2, logger });
    await expect(ensureBoardEventsTopic({ brokers, topic, partitions: 3, logger })).rejects.toThrow(
      /has 2 partitions.*configured for 3/,
    );
  });

  it('fails fast with the producer breaker open when the broker is unreachable', async () => {
    const bus = createKafkaEventBus({
      brokers: ['127.0.0.1:1'],
      topic: uniqueTopic('nowhere'),
      clientId: 'down-test',
      logger,
      sendTimeoutMs: 1_000,
    });
    buses.push(bus);
    for (let attempt = 0; attempt < 4; attempt += 1)
      await expect(bus.publish(boardEvents(randomUUID(), 1))).rejects.toThrow();
    expect(bus.producerState()).toBe('open');
    const started = Date.now();
    await expect(bus.publish(boardEvents(randomUUID(), 1))).rejects.toThrow(/open/i);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
