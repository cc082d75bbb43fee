import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type kafkajs from 'kafkajs';
import { reportError } from '../observability/errorReporter.js';
import { SpanKind, inEventSpans } from '../observability/tracing.js';
import {
  HaltPartitionError,
  type BusHandler,
  type BusSubscription,
  type HaltedPartition,
  type SubscribeOptions,
} from './eventBus.port.js';
import { decodeEnvelope } from './kafkaCodec.js';
import type { KafkaEventBusOptions } from './kafkaEventBus.js';

type KafkaClient = InstanceType<typeof kafkajs.Kafka>;

/**
 * The consuming half of the Kafka bus: one consumer of a group, offsets resolved only after the
 * handler resolved (a crash redelivers rather than skips), a `HaltPartitionError` pauses its
 * partition, and a watchdog recreates a consumer that crashed for good or stopped fetching.
 */

export class KafkaSubscription implements BusSubscription {
  onStopped: () => void = () => undefined;
  private consumer: Consumer | null = null;
  private readonly haltedPartitions = new Map<number, HaltedPartition>();
  private stopped = false;
  private lastFetchAt = Date.now();
  private watchdog: NodeJS.Timeout | null = null;
  private restarting: Promise<void> | null = null;
  private readonly maxBatchEvents: number;
  private readonly partitionsAtOnce: number;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly group: string,
    private readonly handler: BusHandler,
    private readonly subscribeOptions: SubscribeOptions,
    private readonly options: KafkaEventBusOptions,
  ) {
    this.maxBatchEvents = options.maxBatchEvents ?? 500;
    const atOnce = subscribeOptions.partitionsAtOnce ?? 1;
    if (!Number.isInteger(atOnce) || atOnce < 1)
      throw new RangeError(`partitionsAtOnce must be a positive integer, got ${atOnce}`);
    this.partitionsAtOnce = atOnce;
  }

  halted(): readonly HaltedPartition[] {
    return [...this.haltedPartitions.values()];
  }

  async start(): Promise<void> {
    await this.run();
    const watchdogMs = this.options.watchdogMs ?? 60_000;
    this.watchdog = setInterval(
      () => {
        const silentFor = Date.now() - this.lastFetchAt;
        if (!this.stopped && silentFor > watchdogMs) {
          this.options.logger.warn(
            { group: this.group, silentForMs: silentFor },
            'kafka consumer stopped fetching; recreating it',
          );
          void this.restart();
        }
      },
      Math.max(1_000, Math.floor(watchdogMs / 4)),
    );
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    await this.restarting?.catch(() => undefined);
    const consumer = this.consumer;
    this.consumer = null;
    await consumer
      ?.disconnect()
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error, group: this.group }, 'kafka consumer disconnect failed'),
      );
    this.onStopped();
  }

  private async run(): Promise<void> {
    const { logger, topic } = this.options;
    const gatherMs = Math.max(0, Math.round(this.subscribeOptions.gatherMs ?? 0));
    const consumer = this.kafka.consumer({
      groupId: this.group,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // Without gathering: answer a fetch as soon as one message is there, else after a second.
      // Gathering: wait for a megabyte or `gatherMs`, whichever comes first.
      ...(gatherMs > 0 ? { minBytes: 1 << 20, maxWaitTimeInMs: gatherMs } : { maxWaitTimeInMs: 1_000 }),
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
      partitionsConsumedConcurrently: this.partitionsAtOnce,
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
          this.options.logger.warn(
            { err: error, group: this.group, attempt },
            'kafka consumer could not start; retrying',
          );
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
    this.options.metrics?.busConsumerLag.set(
      { group: this.group, partition: String(partition) },
      Number(batch.offsetLag()),
    );
    const messages = batch.messages;
    for (let start = 0; start < messages.length; start += this.maxBatchEvents) {
      if (!payload.isRunning() || payload.isStale()) return;
      const slice = messages.slice(start, start + this.maxBatchEvents);
      const last = slice[slice.length - 1] as KafkaMessage;
      try {
        const events = slice.map((message) => decodeEnvelope(message));
        // The messages after this slice in the batch, plus the offsets past what the fetch returned.
        // Not `highWatermark - offset`: a transaction's commit marker takes an offset of its own, so
        // that read 1 when the group was caught up. `lastOffset()` includes the markers the fetch saw.
        const unfetched = Math.max(0, Number(batch.highWatermark) - 1 - Number(batch.lastOffset()));
        const remaining = messages.length - (start + slice.length) + unfetched;
        const delivery = { topic: batch.topic, partition, offsets: slice.map((message) => message.offset), remaining };
        const attributes = {
          'messaging.system': 'kafka',
          'messaging.destination.name': batch.topic,
          'messaging.consumer.group.name': this.group,
          'messaging.destination.partition.id': String(partition),
        };
        await inEventSpans(`kafka consume ${this.group}`, { kind: SpanKind.CONSUMER, attributes }, events, (traced) =>
          this.handler(traced, delivery),
        );
      } catch (error) {
        if (!(error instanceof HaltPartitionError)) throw error;
        const halted = { topic: batch.topic, partition, reason: error.message };
        this.haltedPartitions.set(partition, halted);
        this.options.logger.error(
          { ...halted, group: this.group, offset: slice[0]?.offset },
          'ALARM: partition halted; nothing after it is consumed until the cause is fixed',
        );
        pause();
        return;
      }
      payload.resolveOffset(last.offset);
      await payload.heartbeat();
    }
    this.options.metrics?.busConsumerLag.set(
      { group: this.group, partition: String(partition) },
      Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1),
    );
  }
}
