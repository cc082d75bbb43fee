import type { Envelope } from '@primetrade/domain';

/**
 * The bus between the relay and the consumers (DESIGN §1): Kafka in cluster mode, in-process
 * when embedded. Keyed by board id; per-board order is kept; delivery is at-least-once.
 */
export interface EventBus {
  /** Resolves once the bus has accepted every message (Kafka: acked; in-process: handled by every group). */
  publish(events: readonly Envelope[]): Promise<void>;
  /** One consumer of `group`; the handler gets batches in per-board order and is awaited. */
  subscribe(group: string, handler: (events: readonly Envelope[]) => Promise<void>): Promise<BusSubscription>;
  close(): Promise<void>;
}

export interface BusSubscription {
  stop(): Promise<void>;
}
