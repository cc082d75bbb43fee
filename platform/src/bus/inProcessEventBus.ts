import type { Envelope } from '@primetrade/domain';
import { SpanKind, inEventSpans } from '../observability/tracing.js';
import type { BusHandler, BusSubscription, EventBus } from './eventBus.port.js';

type Handler = BusHandler;

interface Group {
  handler: Handler;
  /** Deliveries to one group run one after another, in publish order. */
  tail: Promise<void>;
}

/**
 * The embedded-mode bus. `publish` resolves only after every subscribed group has handled the batch,
 * so the relay advances its checkpoint only after delivery and a crash loses nothing; a handler error
 * rejects `publish` (the relay retries, so consumers see duplicates, as with Kafka).
 *
 * One handler per group: a second `subscribe` for the same group REPLACES the first (the old
 * subscription's `stop()` then does nothing). Groups subscribed after a publish do not see it, so
 * subscribe every consumer before starting the relay. Callers await each publish before the next
 * (the relay does); concurrent publishes are still delivered to each group in call order.
 */
export function createInProcessEventBus(): EventBus {
  const groups = new Map<string, Group>();
  let closed = false;

  function deliver(name: string, group: Group, events: readonly Envelope[]): Promise<void> {
    const handler = group.handler;
    const attributes = { 'messaging.system': 'in-process', 'messaging.consumer.group.name': name };
    const delivery = group.tail.then(() =>
      inEventSpans(`bus consume ${name}`, { kind: SpanKind.CONSUMER, attributes }, events, (traced) => handler(traced)),
    );
    // The chain must survive a failed delivery; the failure itself goes back to the publisher.
    group.tail = delivery.catch(() => undefined);
    return delivery;
  }

  return {
    async publish(events) {
      if (closed) throw new Error('The event bus is closed');
      if (events.length === 0) return;
      const batch = Object.freeze([...events]);
      await Promise.all([...groups].map(([name, group]) => deliver(name, group, batch)));
    },

    // One process, no producer term to fence.
    async resetProducer() {},

    async subscribe(name, handler) {
      if (closed) throw new Error('The event bus is closed');
      const existing = groups.get(name);
      const group: Group = { handler, tail: existing?.tail ?? Promise.resolve() };
      groups.set(name, group);
      return {
        async stop() {
          if (groups.get(name) !== group) return;
          groups.delete(name);
          await group.tail;
        },
      } satisfies BusSubscription;
    },

    async close() {
      closed = true;
      const pending = [...groups.values()].map((group) => group.tail);
      groups.clear();
      await Promise.all(pending);
    },
  };
}
