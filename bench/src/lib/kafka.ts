import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import type { Message, Producer } from 'kafkajs';
import type { Envelope } from '@primetrade/domain';
import { ensureBoardEventsTopic, headerValue, type Logger } from '@primetrade/platform';
import { startKafka, type KafkaBroker } from '../../../infra/kafka/kafka.mjs';

const { Kafka, Partitioners, logLevel } = kafkajs;

/** The deployment's default KAFKA_PARTITIONS: the benchmark topics are shaped like the real one. */
export const boardEventsPartitions = 8;

export interface BenchKafka {
  readonly brokers: readonly string[];
  /** Stops the broker and removes its directory. */
  destroy(): Promise<void>;
}

/** A broker of the benchmark's own (ports and a temporary directory), destroyed by the caller. */
export async function startBenchKafka(): Promise<BenchKafka> {
  const directory = await mkdtemp(path.join(tmpdir(), 'pt-bench-kafka-'));
  const remove = () => rm(directory, { recursive: true, force: true });
  let broker: KafkaBroker;
  try {
    broker = await startKafka({ dataDir: path.join(directory, 'broker'), heap: '384m' });
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    brokers: broker.brokers,
    async destroy() {
      await broker.destroy();
      await remove();
    },
  };
}

/** A fresh board-events topic (same settings as `ensureBoardEventsTopic` gives the real one). */
export async function createBenchTopic(brokers: readonly string[], purpose: string, logger: Logger): Promise<string> {
  const topic = `pt-bench-${purpose}-${randomBytes(4).toString('hex')}`;
  await ensureBoardEventsTopic({ brokers, topic, partitions: boardEventsPartitions, logger });
  return topic;
}

const client = (brokers: readonly string[], clientId: string) =>
  new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 5 },
  });

/** The message the bus would send for `event` (key = board id, JSON value, event-id header). */
export const toMessage = (event: Envelope): Message => ({
  key: event.boardId,
  value: JSON.stringify(event),
  headers: { 'event-id': event.id, 'event-type': event.type, revision: String(event.revision) },
});

/** A plain kafkajs producer, no transactions: the "raw produce" baselines. */
export async function connectRawProducer(brokers: readonly string[]): Promise<Producer> {
  const producer = client(brokers, 'bench-raw-producer').producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

export interface TopicWatcher {
  /** Resolves with `performance.now()` at the moment the consumer saw the event; rejects after `timeoutMs`. */
  seen(eventId: string, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * A consumer of `topic` from its start (read committed, as the projector reads) that notes when
 * each event id arrives. Resolves once it has joined its group, so nothing published later waits
 * for a rebalance.
 */
export async function watchTopic(brokers: readonly string[], topic: string): Promise<TopicWatcher> {
  const consumer = client(brokers, 'bench-watcher').consumer({
    groupId: `bench-watch-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 500,
  });
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const at = performance.now();
      const id = headerValue(message.headers, 'event-id');
      if (id === undefined) return;
      const resolve = waiting.get(id);
      if (resolve) {
        waiting.delete(id);
        resolve(at);
      } else arrived.set(id, at);
    },
  });
  await joined;
  return {
    seen(eventId, timeoutMs = 30_000) {
      const at = arrived.get(eventId);
      if (at !== undefined) {
        arrived.delete(eventId);
        return Promise.resolve(at);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(eventId);
          reject(new Error(`event ${eventId} not seen on ${topic} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(eventId, (seenAt) => {
          clearTimeout(timer);
          resolve(seenAt);
        });
      });
    },
    close: () => consumer.disconnect(),
  };
}
