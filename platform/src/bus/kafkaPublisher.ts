import kafkajs from 'kafkajs';
import type { Producer } from 'kafkajs';
import type { Envelope } from '@primetrade/domain';
import { SpanKind, inEventSpans } from '../observability/tracing.js';
import { createBreaker, type Breaker, type BreakerState } from '../resilience/breaker.js';
import { ProducerFencedError, type PublishOptions } from './eventBus.port.js';
import { encodeEnvelope } from './kafkaCodec.js';
import { cacheTransactionCoordinators } from './kafkaCoordinatorCache.js';
import type { KafkaEventBusOptions } from './kafkaEventBus.js';

const { Partitioners } = kafkajs;
type KafkaClient = InstanceType<typeof kafkajs.Kafka>;

const fencingErrors = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);
const isFenced = (error: unknown): boolean => {
  const type = (error as { type?: unknown } | null)?.type;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return (
    (typeof type === 'string' && fencingErrors.has(type)) || (cause !== undefined && cause !== error && isFenced(cause))
  );
};

export interface KafkaPublisher {
  publish(events: readonly Envelope[], options?: PublishOptions): Promise<void>;
  /** Disconnects the producer; the next publish starts a new one, which fences every older one. */
  resetProducer(): Promise<void>;
  /** The producer breaker, for `/readyz`. */
  state(): BreakerState;
  close(): Promise<void>;
}

/**
 * The producing half of the Kafka bus: idempotent, `acks=-1`, one request in flight (so a retried
 * request cannot overtake the one before), key = board id (per-board order lives in one
 * partition); with a transactional id, each batch in one Kafka transaction. Behind a breaker.
 */
export function createKafkaPublisher(kafka: KafkaClient, options: KafkaEventBusOptions): KafkaPublisher {
  const { topic } = options;
  // One FindCoordinator per client instead of two per batch (docs/adr/0025).
  if (options.transactionalId) cacheTransactionCoordinators();
  let producer: Producer | null = null;
  let connecting: Promise<Producer> | null = null;
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
        await inEventSpans('kafka send', { kind: SpanKind.PRODUCER }, events, () => connected.send(record));
        return;
      }
      try {
        const transaction = await connected.transaction();
        try {
          // Two spans per trace, so a trace shows when the batch was on the log (what the realtime
          // push reads, uncommitted) and when the transaction committed (what the projector reads).
          await inEventSpans('kafka send', { kind: SpanKind.PRODUCER }, events, () => transaction.send(record));
          await inEventSpans('kafka commit', { kind: SpanKind.CLIENT }, events, () => transaction.commit());
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
        if (isFenced(error))
          throw new ProducerFencedError(`Another producer took transactional id ${options.transactionalId}`);
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

  async function disconnect(): Promise<void> {
    const current = producer ?? (connecting ? await connecting.catch(() => null) : null);
    producer = null;
    connecting = null;
    await current?.disconnect().catch(() => undefined);
  }

  return {
    async publish(events, publishOptions = {}) {
      if (closed) throw new Error('The event bus is closed');
      if (events.length === 0) return;
      await send.fire(events, publishOptions.headers ?? {});
    },
    resetProducer: disconnect,
    state: () => send.state(),
    async close() {
      closed = true;
      send.shutdown();
      await disconnect();
    },
  };
}
