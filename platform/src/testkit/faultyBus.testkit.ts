import type { Envelope } from '@primetrade/domain';
import type { EventBus } from '../bus/eventBus.port.js';

/**
 * Test-only: the bus with `afterAck` run once each publish has been accepted (Kafka: acked), before
 * the publisher goes on (docs/testing.md, fault 4: the relay killed between the ack and its
 * checkpoint). The benchmarks use it to time the ack.
 */
export function afterEachPublish(
  bus: EventBus,
  afterAck: (events: readonly Envelope[]) => void | Promise<void>,
): EventBus {
  return {
    async publish(events, options) {
      await bus.publish(events, options);
      await afterAck(events);
    },
    resetProducer: () => bus.resetProducer(),
    subscribe: (group, handler, options) => bus.subscribe(group, handler, options),
    close: () => bus.close(),
  };
}
