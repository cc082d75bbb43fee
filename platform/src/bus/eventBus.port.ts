import type { Envelope } from '@primetrade/domain';

/** Where a delivered batch came from; absent on the in-process bus. `offsets[n]` belongs to `events[n]`. */
export interface Delivery {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets as decimal strings (int64), ascending. */
  readonly offsets: readonly string[];
  /** Messages in the partition after this batch when it was fetched (the consumer's lag behind the bus). */
  readonly remaining?: number;
}

export type BusHandler = (events: readonly Envelope[], delivery?: Delivery) => Promise<void>;

export interface SubscribeOptions {
  /** A group with no committed position starts at the oldest message (true) or the newest (false). Default true. */
  readonly fromBeginning?: boolean;
  /**
   * Kafka: also deliver messages of transactions not yet committed (or aborted), without waiting for
   * the commit marker. Only for a group whose every message is harmless to see early or twice: the
   * realtime push (a relay only publishes events the store has committed; clients drop revisions they
   * have). Never for the projector. Default false (read committed). See docs/adr/0016.
   */
  readonly readUncommitted?: boolean;
  /**
   * Kafka: a fetch waits up to this long for more messages before it answers (the broker's
   * `fetch.max.wait.ms` with a large `fetch.min.bytes`), so a group that may lag a little (search)
   * handles a few writes per batch instead of one each, at a fraction of the CPU per write. Under
   * heavy load batches fill at once and nothing waits. 0 answers as soon as there is anything (the
   * default). In-process: ignored (delivery is a function call). See docs/adr/0034.
   */
  readonly gatherMs?: number;
  /**
   * Kafka: partitions this consumer handles at the same time, each still one batch after the other in
   * its order (a board lives in one partition, so its events never overlap). While the server writes
   * one partition's batch, this process prepares another's: a consumer that spends about as long on
   * its own work as in the database (the projector) gets through more. Default 1. In-process: ignored
   * (one publish is one delivery).
   */
  readonly partitionsAtOnce?: number;
}

export interface PublishOptions {
  /**
   * Stamped on every message of the batch (the relay stamps its lease epoch and name, so a message
   * can be traced to the relay term that wrote it). Kafka: message headers; in-process: not kept.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The bus between the relay and the consumers (docs/architecture.md): Kafka in cluster mode,
 * in-process when embedded. Keyed by board id; per-board order is kept; delivery is at-least-once.
 * What every adapter promises is checked by eventBus.contractSuite.ts.
 */
export interface EventBus {
  /**
   * Resolves once the bus has accepted every message (Kafka: acked by all in-sync replicas;
   * in-process: handled by every group). Rejects with `ProducerFencedError` when a newer producer
   * took over this one's transactional id: the caller must stop publishing.
   */
  publish(events: readonly Envelope[], options?: PublishOptions): Promise<void>;
  /**
   * Starts a new producer term: the next publish uses a fresh producer, which fences every older
   * one with the same transactional id (a relay calls it when it becomes the leader). In-process:
   * nothing to reset.
   */
  resetProducer(): Promise<void>;
  /**
   * One consumer of `group`; the handler gets batches in per-board order and is awaited. A
   * rejected batch is delivered again. A rejection with a `HaltPartitionError` stops delivery
   * of that partition (Kafka) until the subscription restarts; other partitions go on.
   */
  subscribe(group: string, handler: BusHandler, options?: SubscribeOptions): Promise<BusSubscription>;
  close(): Promise<void>;
}

export interface HaltedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly reason: string;
}

export interface BusSubscription {
  stop(): Promise<void>;
  /** Partitions stopped by a `HaltPartitionError` (the alarm); empty when everything flows. */
  halted?(): readonly HaltedPartition[];
}

/** This producer was replaced by a newer one with the same transactional id: it must stop publishing. */
export class ProducerFencedError extends Error {
  override readonly name = 'ProducerFencedError';
}

/**
 * Thrown by a handler for a batch that redelivery cannot fix (a revision gap, poison): the bus
 * stops that partition rather than skip the batch or spin on it. Nothing after it is consumed.
 */
export class HaltPartitionError extends Error {
  override readonly name = 'HaltPartitionError';
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason), { cause: reason });
  }
}
