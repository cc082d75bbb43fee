import kafkajs from 'kafkajs';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { BreakerState } from '../resilience/breaker.js';
import { kafkaLogCreator } from './kafkaLogging.js';
import { createKafkaPublisher } from './kafkaPublisher.js';
import { stopIdleRequestQueueTimers } from './kafkaRequestQueue.js';
import { KafkaSubscription } from './kafkaSubscription.js';
import type { EventBus } from './eventBus.port.js';

const { Kafka } = kafkajs;

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
  /**
   * Publish each batch in a Kafka transaction under this id (the relay: one id per topic). A
   * producer that starts with the id fences every older one at the broker, so a relay that was
   * frozen mid-publish cannot write after its successor started: its send fails with
   * `ProducerFencedError`, and what it wrote uncommitted is never read by a read-committed group (the
   * projector; only the realtime push reads uncommitted, see docs/adr/0016).
   */
  readonly transactionalId?: string;
}

export interface KafkaEventBus extends EventBus {
  /** The producer breaker, for `/readyz`. */
  producerState(): BreakerState;
}

/**
 * The cluster-mode bus on kafkajs: a publisher (kafkaPublisher.ts) and one consumer per
 * `subscribe` (kafkaSubscription.ts) on one client.
 */
export function createKafkaEventBus(options: KafkaEventBusOptions): KafkaEventBus {
  // No 1 ms timer loop per Kafka connection at rest (docs/adr/0034).
  stopIdleRequestQueueTimers();
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logCreator: kafkaLogCreator(options.logger),
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 8 },
  });
  const publisher = createKafkaPublisher(kafka, options);
  const subscriptions = new Set<KafkaSubscription>();
  let closed = false;

  return {
    publish: (events, publishOptions) => publisher.publish(events, publishOptions),
    resetProducer: () => publisher.resetProducer(),
    producerState: () => publisher.state(),

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
      await publisher.close();
    },
  };
}
