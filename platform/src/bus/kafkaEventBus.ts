import kafkajs from 'kafkajs';
import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import type { Envelope } from '@primetrade/domain';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { reportError } from '../observability/errorReporter.js';
import { SpanKind, inEventSpans } from '../observability/tracing.js';
import { createBreaker, type Breaker, type BreakerState } from '../resilience/breaker.js';
import { decodeEnvelope, encodeEnvelope } from './kafkaCodec.js';
import { kafkaLogCreator } from './kafkaLogging.js';
import {
  HaltPartitionError,
  ProducerFencedError,
  type BusHandler,
  type BusSubscription,
  type EventBus,
  type HaltedPartition,
  type SubscribeOptions,
} from './eventBus.port.js';

const { Kafka, Partitioners } = kafkajs;

export interface KafkaEventBusOptions {
  readonly brokers: readonly string[];
  /** The one topic of board events (docs/api.md: `taskboard.board-events`), created beforehand by `ensureBoardEventsTopic`. */
  readonly topic: string;
  readonly clientId: string;
  readonly logger: Logger;
  readonly metrics?: Pick<Metrics, 'breakerState' | 'busConsumerLag'>;
  /** Most events handed to a handler at once (a Kafka batch is split into chunks). Default 500. */
  readonly maxBatchEvents?: number;
  /** A send slower than this fails and counts against the producer breaker. Default 30 000 (above the retry budget). */
  readonly sendTimeoutMs?: number;
  /** A consumer that has not fetched for this long while it should is recreated. Default 60 000. */
  readonly watchdogMs?: number;
  /** Partitions one consumer works on at once. Default 1 (partitions in turn). */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * Publish each batch in a Kafka transaction under this id (the relay: one id per topic). A
   * producer that starts with the id fences every older one at the broker, so a relay that was
   * frozen mid-publish cannot write after its successor started: its send fails with
   * `ProducerFencedError`, and what it wrote uncommitted is never read by a read-committed group (the
   * projector; only the realtime push reads uncommitted, see docs/adr/0016).
   */
  readonly transactionalId?: string;
}

const fencingErrors = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);
const isFenced = (error: unknown): boolean => {
  const type = (error as { type?: unknown } | null)?.type;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return (typeof type === 'string' && fencingErrors.has(type)) || (cause !== undefined && cause !== error && isFenced(cause));
};

export interface KafkaEventBus extends EventBus {
  /** The producer breaker, for `/readyz`. */
  producerState(): BreakerState;
}

/**
 * The cluster-mode bus on kafkajs. Producer: idempotent, `acks=-1`, one request in flight (so a
 * retried request cannot overtake the one before), key = board id (per-board order lives in one
 * partition). Consumers: one per `subscribe`, offsets resolved only after the handler resolved, so
 * a crash redelivers rather than skips; a `HaltPartitionError` pauses its partition; a watchdog
 * recreates a consumer that crashed for good or stopped fetching.
 */
export function createKafkaEventBus(options: KafkaEventBusOptions): KafkaEventBus {
  const { logger, topic } = options;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logCreator: kafkaLogCreator(logger),
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 8 },
  });
  let producer: Producer | null = null;
  let connecting: Promise<Producer> | null = null;
  const subscriptions = new Set<KafkaSubscription>();
  let closed = false;

  async function connectedProducer(): Promise<Producer> {
    if (producer) return producer;
    connecting ??= (async () => {
      const created = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        ...(options.transactionalId ? { transactionalId: options.transactionalId, transactionTimeout: 30_000 } : {}),
        // A new transaction often starts while the broker still writes the last one's markers
        // (CONCURRENT_TRANSACTIONS, retriable): the client-wide 200 ms first back-off would put
        // 200 ms on such a batch (B3 measured p95 137 ms); retry after a few milliseconds instead.
        retry: { initialRetryTime: 10, maxRetryTime: 2_000, retries: 10 },
      });
      try {
        await created.connect();
      } catch (error) {
        connecting = null;
        throw error;
      }
      created.on(created.events.DISCONNECT, () => {
        if (producer !== created) return;
        producer = null;
        connecting = null;
      });
      producer = created;
      return created;
    })();
    return connecting;
  }

  const send: Breaker<[readonly Envelope[], Readonly<Record<string, string>>], void> = createBreaker(
    'kafka-producer',
    async (events, headers) => {
      const connected = await connectedProducer();
      const record = { topic, acks: -1, messages: events.map((event) => encodeEnvelope(event, headers)) };
      if (!options.transactionalId) {
        await connected.send(record);
        return;
      }
      try {
        const transaction = await connected.transaction();
        try {
          await transaction.send(record);
          await transaction.commit();
        } catch (error) {
          if (transaction.isActive()) await transaction.abort().catch(() => undefined);
          throw error;
        }
      } catch (error) {
        // A failed transaction can leave the producer in a state only a fresh init clears (fenced,
        // coordinator moved, broker restarted): the next publish starts a new producer.
        if (producer === connected) {
          producer = null;
          connecting = null;
        }
        await connected.disconnect().catch(() => undefined);
        if (isFenced(error)) throw new ProducerFencedError(`Another producer took transactional id ${options.transactionalId}`);
        throw error;
      }
    },
    {
      // Longer than the producer's own retry budget, so a send is never abandoned while it retries.
      timeoutMs: options.sendTimeoutMs ?? 30_000,
      resetTimeoutMs: 3_000,
      volumeThreshold: 3,
      // Being fenced is an answer from a healthy broker, not an outage.
      isExpectedError: (error) => error instanceof ProducerFencedError,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    },
  );

  return {
    async publish(events, publishOptions = {}) {
      if (closed) throw new Error('The event bus is closed');
      if (events.length === 0) return;
      await send.fire(events, publishOptions.headers ?? {});
    },
    async resetProducer() {
      const current = producer ?? (connecting ? await connecting.catch(() => null) : null);
      producer = null;
      connecting = null;
      await current?.disconnect().catch(() => undefined);
    },
    producerState: () => send.state(),

    async subscribe(group, handler, subscribeOptions = {}) {
      if (closed) throw new Error('The event bus is closed');
      const subscription = new KafkaSubscription(kafka, group, handler, subscribeOptions, options);
      subscriptions.add(subscription);
      subscription.onStopped = () => subscriptions.delete(subscription);
      await subscription.start();
      return subscription;
    },

    async close() {
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      send.shutdown();
      const current = producer ?? (connecting ? await connecting.catch(() => null) : null);
      producer = null;
      await current?.disconnect();
    },
  };
}

type KafkaClient = InstanceType<typeof Kafka>;

class KafkaSubscription implements BusSubscription {
  onStopped: () => void = () => undefined;
  private consumer: Consumer | null = null;
  private readonly haltedPartitions = new Map<number, HaltedPartition>();
  private stopped = false;
  private lastFetchAt = Date.now();
  private watchdog: NodeJS.Timeout | null = null;
  private restarting: Promise<void> | null = null;
  private readonly maxBatchEvents: number;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly group: string,
    private readonly handler: BusHandler,
    private readonly subscribeOptions: SubscribeOptions,
    private readonly options: KafkaEventBusOptions,
  ) {
    this.maxBatchEvents = options.maxBatchEvents ?? 500;
  }

  halted(): readonly HaltedPartition[] {
    return [...this.haltedPartitions.values()];
  }

  async start(): Promise<void> {
    await this.run();
    const watchdogMs = this.options.watchdogMs ?? 60_000;
    this.watchdog = setInterval(() => {
      const silentFor = Date.now() - this.lastFetchAt;
      if (!this.stopped && silentFor > watchdogMs) {
        this.options.logger.warn({ group: this.group, silentForMs: silentFor }, 'kafka consumer stopped fetching; recreating it');
        void this.restart();
      }
    }, Math.max(1_000, Math.floor(watchdogMs / 4)));
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    await this.restarting?.catch(() => undefined);
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect().catch((error: unknown) => this.options.logger.warn({ err: error, group: this.group }, 'kafka consumer disconnect failed'));
    this.onStopped();
  }

  private async run(): Promise<void> {
    const { logger, topic } = this.options;
    const consumer = this.kafka.consumer({
      groupId: this.group,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 1_000,
      retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 8 },
      readUncommitted: this.subscribeOptions.readUncommitted ?? false,
    });
    this.consumer = consumer;
    this.haltedPartitions.clear();
    consumer.on(consumer.events.FETCH_START, () => {
      this.lastFetchAt = Date.now();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      logger.error({ err: error, group: this.group, restart }, 'kafka consumer crashed');
      reportError(error, { component: 'kafka-consumer', group: this.group, restart });
      // kafkajs restarts by itself when `restart` is true; otherwise the watchdog's job.
      if (!restart && !this.stopped) void this.restart();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: this.subscribeOptions.fromBeginning ?? true });
    this.lastFetchAt = Date.now();
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private async restart(): Promise<void> {
    this.restarting ??= (async () => {
      const old = this.consumer;
      this.consumer = null;
      await old?.disconnect().catch(() => undefined);
      for (let attempt = 1; !this.stopped; attempt += 1) {
        try {
          await this.run();
          this.options.logger.info({ group: this.group }, 'kafka consumer recreated');
          return;
        } catch (error) {
          this.options.logger.warn({ err: error, group: this.group, attempt }, 'kafka consumer could not start; retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * attempt)));
        }
      }
    })().finally(() => {
      this.restarting = null;
    });
    return this.restarting;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { partition } = batch;
    const pause = () => payload.pause();
    if (this.haltedPartitions.has(partition)) {
      pause();
      return;
    }
    this.options.metrics?.busConsumerLag.set({ group: this.group, partition: String(partition) }, Number(batch.offsetLag()));
    const messages = batch.messages;
    for (let start = 0; start < messages.length; start += this.maxBatchEvents) {
      if (!payload.isRunning() || payload.isStale()) return;
      const slice = messages.slice(start, start + this.maxBatchEvents);
      const last = slice[slice.length - 1] as KafkaMessage;
      try {
        const events = slice.map((message) => decodeEnvelope(message));
        const remaining = Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1);
        const delivery = { topic: batch.topic, partition, offsets: slice.map((message) => message.offset), remaining };
        const attributes = { 'messaging.system': 'kafka', 'messaging.destination.name': batch.topic, 'messaging.consumer.group.name': this.group, 'messaging.destination.partition.id': String(partition) };
        await inEventSpans(`kafka consume ${this.group}`, { kind: SpanKind.CONSUMER, attributes }, events, (traced) => this.handler(traced, delivery));
      } catch (error) {
        if (!(error instanceof HaltPartitionError)) throw error;
        const halted = { topic: batch.topic, partition, reason: error.message };
        this.haltedPartitions.set(partition, halted);
        this.options.logger.error({ ...halted, group: this.group, offset: slice[0]?.offset }, 'ALARM: partition halted; nothing after it is consumed until the cause is fixed');
        pause();
        return;
      }
      payload.resolveOffset(last.offset);
      await payload.heartbeat();
    }
    this.options.metrics?.busConsumerLag.set({ group: this.group, partition: String(partition) }, Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1));
  }
}
