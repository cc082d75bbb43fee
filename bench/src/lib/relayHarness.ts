import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { boardStreamId, type BoardEvent, type Envelope } from '@primetrade/domain';
import {
  toEnvelope,
  toEventToAppend,
  type EventBus,
  type EventStore,
  type KafkaEventBus,
  type Logger,
  type Position,
  type Sql,
  type StoredEvent,
} from '@primetrade/platform';
import { afterEachPublish } from '@primetrade/platform/testkit/faultyBus.testkit.js';
import { createLeaderLease, createRelay, saveNextCheckpoint, type Relay } from '@primetrade/projector';

/** The relay's default batch; the raw baselines read and produce in batches of the same size. */
export const relayBatchSize = 500;

export interface Appended {
  /** The last appended event as the relay would publish it. */
  readonly envelope: Envelope;
  /** `performance.now()` when the append resolved: the writer knows it is committed. */
  readonly committedAt: number;
}

export interface Writer {
  /** Position of the last event appended so far (the benchmark is the store's only writer). */
  head(): Position | null;
  append(boardId: string, events: readonly BoardEvent[]): Promise<Appended>;
}

export function createWriter(store: EventStore): Writer {
  const actorId = randomUUID();
  let head: Position | null = null;
  return {
    head: () => head,
    async append(boardId, events) {
      const context = { occurredAt: new Date().toISOString(), actorId, correlationId: randomUUID(), causationId: null };
      const toAppend = events.map((event) => toEventToAppend(event, randomUUID(), context));
      const result = await store.appendToStream(boardStreamId(boardId), toAppend);
      const committedAt = performance.now();
      if (head === null || store.comparePositions(result.position, head) > 0) head = result.position;
      // recordedAt is no part of the envelope.
      const last = toAppend[toAppend.length - 1]!;
      const stored: StoredEvent = {
        ...last,
        streamId: boardStreamId(boardId),
        revision: result.nextExpectedRevision,
        position: result.position,
        recordedAt: new Date(),
      };
      return { envelope: toEnvelope(stored), committedAt };
    },
  };
}

/** What both parts of B3 share: one store, one broker, one plain producer. */
export interface RelayContext {
  readonly store: EventStore;
  /** Checkpoints and leases (the read-model database). */
  readonly sql: Sql;
  readonly writer: Writer;
  readonly brokers: readonly string[];
  readonly logger: Logger;
  /** A plain kafkajs producer (no transactions): the "raw produce" baselines. */
  readonly producer: Producer;
  /** The bus a cluster relay node builds for `topic`: transactional id `relay:<topic>`. */
  relayBus(topic: string): KafkaEventBus;
}

/**
 * The relay reads stored events and publishes their envelopes: remember each event as the relay's
 * subscription hands it over, and give `afterAck` the stored events of every publish the bus acked
 * (the moment the relay's `relayCommitToAck` metric observes).
 */
function observeAcks(
  store: EventStore,
  bus: EventBus,
  afterAck: (events: readonly StoredEvent[]) => void,
): { store: EventStore; bus: EventBus } {
  const inFlight = new Map<string, StoredEvent>();
  const tappedStore: EventStore = {
    ...store,
    subscribeToAll: (subscribeOptions, handler) =>
      store.subscribeToAll(subscribeOptions, async (batch) => {
        for (const event of batch) inFlight.set(event.id, event);
        await handler(batch);
      }),
  };
  const tappedBus = afterEachPublish(bus, (envelopes) => {
    const acked = envelopes.flatMap((envelope) => inFlight.get(envelope.id) ?? []);
    for (const event of acked) inFlight.delete(event.id);
    afterAck(acked);
  });
  return { store: tappedStore, bus: tappedBus };
}

/** A relay as `startRelayNode` runs it (lease, checkpoint fenced by it), starting after `after`. */
export async function startRelay(
  context: RelayContext,
  options: {
    bus: KafkaEventBus;
    topic: string;
    checkpointName: string;
    after: Position | null;
    afterAck?: (events: readonly StoredEvent[]) => void;
  },
): Promise<Relay> {
  const { sql, store } = context;
  const { checkpointName } = options;
  if (options.after !== null) await saveNextCheckpoint(sql, { name: checkpointName, position: options.after });
  const observed = options.afterAck ? observeAcks(store, options.bus, options.afterAck) : { store, bus: options.bus };
  const relay = createRelay({
    ...observed,
    sql,
    lease: createLeaderLease({ sql, name: `relay:${options.topic}`, holder: checkpointName }),
    checkpointName,
    batchSize: relayBatchSize,
    logger: context.logger,
  });
  await relay.start();
  if (relay.status().role !== 'leader') throw new Error(`B3: relay ${checkpointName} did not get the lease`);
  return relay;
}
