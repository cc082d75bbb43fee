import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  StoredEvent,
  Subscription,
} from './eventStore.port.js';
import { assertAppendable, assertExpectedRevision, matchRetriedBatch } from './idempotency.js';
import { comparePositions, decodePosition, encodePosition } from './position.js';
import { createWakeup, runSubscriptionLoop } from './subscriptionLoop.js';
import type { Wakeup } from './subscriptionLoop.js';

const defaultBatchSize = 500;

/** The fast in-process adapter: unit tests, and the reference the contract suite is read against. */
export function createInMemoryEventStore(): EventStore {
  const all: StoredEvent[] = [];
  const streams = new Map<string, StoredEvent[]>();
  const byId = new Map<string, StoredEvent>();
  const wakeups = new Set<Wakeup>();
  const subscriptions = new Set<Subscription>();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('The event store is closed');
  };

  // Synchronous from the checks to the last push: appends are atomic on the event loop.
  function commit(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): AppendResult {
    const stream = streams.get(streamId) ?? [];
    const current = stream.length === 0 ? null : BigInt(stream.length - 1);
    const found = events.flatMap((event) => {
      const stored = byId.get(event.id.toLowerCase());
      return stored
        ? [{ id: stored.id, streamId: stored.streamId, revision: stored.revision, position: stored.position }]
        : [];
    });
    const retried = matchRetriedBatch(streamId, events, expected, found, current);
    if (retried) return retried;
    assertExpectedRevision(streamId, expected, current);
    const recordedAt = new Date();
    for (const event of events) {
      const stored: StoredEvent = {
        id: event.id.toLowerCase(),
        streamId,
        type: event.type,
        revision: BigInt(stream.length),
        position: encodePosition(0n, BigInt(all.length + 1)),
        data: structuredClone(event.data ?? null),
        metadata: structuredClone(event.metadata),
        recordedAt,
      };
      stream.push(stored);
      all.push(stored);
      byId.set(stored.id, stored);
    }
    streams.set(streamId, stream);
    for (const wakeup of wakeups) wakeup.notify();
    const last = stream[stream.length - 1];
    if (!last) throw new Error('unreachable: appended nothing');
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  function readAll(readOptions: ReadAllOptions = {}): StoredEvent[] {
    // Positions are 1-based indexes into `all`.
    const start = readOptions.after ? Number(decodePosition(readOptions.after).minor) : 0;
    const limit = readOptions.maxCount ?? Number.POSITIVE_INFINITY;
    const result: StoredEvent[] = [];
    for (let index = start; index < all.length && result.length < limit; index += 1) {
      const event = all[index];
      if (event && (!readOptions.streamPrefix || event.streamId.startsWith(readOptions.streamPrefix)))
        result.push(event);
    }
    return result;
  }

  return {
    async appendToStream(streamId, events, appendOptions = {}) {
      assertOpen();
      assertAppendable(streamId, events);
      return commit(streamId, events, appendOptions.expectedRevision ?? 'any');
    },

    async readStream(streamId, readOptions = {}) {
      assertOpen();
      const from = readOptions.fromRevision ?? 0n;
      const to = readOptions.toRevision;
      const events = (streams.get(streamId) ?? []).filter(
        (event) => event.revision >= from && (to === undefined || event.revision <= to),
      );
      return readOptions.maxCount === undefined ? events : events.slice(0, readOptions.maxCount);
    },

    async streamRevision(streamId) {
      assertOpen();
      const stream = streams.get(streamId);
      return stream && stream.length > 0 ? BigInt(stream.length - 1) : null;
    },

    async readAll(readOptions) {
      assertOpen();
      return readAll(readOptions);
    },

    subscribeToAll(subscribeOptions, handler) {
      assertOpen();
      if (subscribeOptions.after) decodePosition(subscribeOptions.after); // a bad position fails here, not in a retry loop
      const wakeup = createWakeup();
      wakeups.add(wakeup);
      const subscription = runSubscriptionLoop({
        after: subscribeOptions.after ?? null,
        // Every append is visible at once here: nothing is ever held back.
        readBatch: async (after) => {
          const maxCount = subscribeOptions.maxCount ?? defaultBatchSize;
          const events = readAll({
            after,
            maxCount,
            ...(subscribeOptions.streamPrefix ? { streamPrefix: subscribeOptions.streamPrefix } : {}),
          });
          return { events, heldBack: false, drained: events.length < maxCount };
        },
        handler,
        wakeup,
        idleMs: () => 1_000,
        ...(subscribeOptions.onError ? { onError: subscribeOptions.onError } : {}),
        onStop: async () => {
          wakeups.delete(wakeup);
          subscriptions.delete(subscription);
        },
      });
      subscriptions.add(subscription);
      return subscription;
    },

    comparePositions,

    async close() {
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
    },
  };
}
