import { setTimeout as sleep } from 'node:timers/promises';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError as ClientWrongExpectedVersionError,
} from '@eventstore/db-client';
import type {
  AppendResult as ClientAppendResult,
  JSONEventData,
  JSONType,
  Position as ClientPosition,
  ResolvedEvent,
  StreamingRead,
} from '@eventstore/db-client';
import type { Logger } from 'pino';
import { defaultWatchdogTimings, runCatchUpSubscription } from './catchUpSubscription.js';
import type { WatchdogTimings } from './catchUpSubscription.js';
import type {
  EventStore,
  EventToAppend,
  ExpectedRevision,
  Position,
  ReadAllOptions,
  StoredEvent,
  Subscription,
} from './eventStore.port.js';
import {
  classifyConflict,
  compareLogPositions,
  impliedFirstRevision,
  isVisible,
  planAllRead,
  planStreamRead,
  toClientExpectedRevision,
  toStoredEvent,
} from './eventStoreDb.mapping.js';
import { newestVisible, openFeed } from './eventStoreDb.feed.js';
import { assertAppendable } from './idempotency.js';
import { comparePositions, decodePosition } from './position.js';

/*
 * With eventStoreDb.feed.ts, the only files that import the EventStoreDB client: moving to its
 * successor, @kurrent/kurrentdb-client, changes these two alone. ADR 0007 explains the mapping.
 */

export interface EventStoreDbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false`. */
  readonly connectionString: string;
  readonly logger?: Logger;
  /** Subscription liveness and retry timings; see `WatchdogTimings`. */
  readonly watchdog?: Partial<WatchdogTimings>;
  /** Events per subscription batch when the subscriber gives no `maxCount`. Default 500. */
  readonly batchSize?: number;
}

const readPageSize = 500;

function watchdogTimings(overrides: Partial<WatchdogTimings> = {}): WatchdogTimings {
  const timings = { ...defaultWatchdogTimings, ...overrides };
  for (const [name, value] of Object.entries(timings)) {
    if (!Number.isFinite(value) || value <= 0)
      throw new RangeError(`watchdog.${name} must be a positive number of milliseconds, not ${value}`);
  }
  if (timings.minRetryDelayMs > timings.maxRetryDelayMs)
    throw new RangeError('watchdog.minRetryDelayMs must not exceed watchdog.maxRetryDelayMs');
  return timings;
}

// The client stringifies any JSON value; its type only names objects, arrays and strings.
const toEventData = (event: EventToAppend): JSONEventData => ({
  id: event.id,
  contentType: 'application/json',
  type: event.type,
  data: (event.data ?? null) as JSONType,
  metadata: { ...event.metadata },
});

/** Events of a stream read; a missing stream reads as empty, like every adapter. */
async function eventsOf(read: StreamingRead<ResolvedEvent>): Promise<StoredEvent[]> {
  const found: StoredEvent[] = [];
  try {
    for await (const resolved of read) if (resolved.event) found.push(toStoredEvent(resolved.event));
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return found;
}

/**
 * The EventStoreDB event store (docs/architecture.md, ADR 0007). Connects lazily; `close()` stops its
 * subscriptions and releases the client's channels.
 */
export function createEventStoreDbEventStore(
  options: EventStoreDbEventStoreOptions,
): EventStore & { close(): Promise<void> } {
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const timings = watchdogTimings(options.watchdog);
  const batchSize = options.batchSize ?? 500;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, not ${batchSize}`);
  const subscriptions = new Set<Subscription>();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('The event store is closed');
  };

  const readFrom = (streamId: string, fromRevision: bigint, maxCount: bigint, requiresLeader = false) =>
    eventsOf(client.readStream(streamId, { direction: FORWARDS, fromRevision, maxCount, requiresLeader }));

  async function streamRevision(streamId: string): Promise<bigint | null> {
    const [last] = await eventsOf(
      client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
    );
    return last?.revision ?? null;
  }

  /** The position of the event at `revision`, read from the leader (it was just written there). */
  async function positionAt(streamId: string, revision: bigint): Promise<Position> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const [event] = await readFrom(streamId, revision, 1n, true);
      if (event) return event.position;
      await sleep(25);
    }
    throw new Error(`appendToStream(${streamId}): revision ${revision} was acknowledged but cannot be read`);
  }

  async function conflictError(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    actual: bigint | 'no_stream',
  ): Promise<Error> {
    const first = impliedFirstRevision(expected);
    const stored =
      first === null
        ? undefined
        : (await readFrom(streamId, first, BigInt(events.length), true)).map((event) => event.id);
    return classifyConflict(streamId, events, expected, {
      actual,
      ...(stored ? { storedAtImpliedPlace: stored } : {}),
    });
  }

  async function readAll(readOptions: ReadAllOptions = {}): Promise<StoredEvent[]> {
    assertOpen();
    const plan = planAllRead(readOptions);
    const found: StoredEvent[] = [];
    // $all reads include their start and cannot filter here, so page and filter client-side.
    let floor = plan.after;
    while (found.length < plan.maxCount) {
      let received = 0;
      let next: ClientPosition | null = null;
      const read = client.readAll({ direction: FORWARDS, fromPosition: floor ?? START, maxCount: readPageSize });
      for await (const resolved of read) {
        received += 1;
        const event = resolved.event;
        if (!event || (floor && compareLogPositions(event.position, floor) <= 0)) continue;
        next = event.position;
        if (isVisible(event.streamId, readOptions.streamPrefix)) found.push(toStoredEvent(event));
        if (found.length >= plan.maxCount) {
          await read.cancel();
          break;
        }
      }
      if (received < readPageSize || found.length >= plan.maxCount) break;
      if (next === null) throw new Error('readAll: a full page of $all held nothing after its start position');
      floor = next;
    }
    return found;
  }

  return {
    async appendToStream(streamId, events, appendOptions = {}) {
      assertOpen();
      assertAppendable(streamId, events);
      const expected = appendOptions.expectedRevision ?? 'any';
      const expectedRevision = toClientExpectedRevision(expected);
      let result: ClientAppendResult;
      try {
        result = await client.appendToStream(streamId, events.map(toEventData), { expectedRevision });
      } catch (error) {
        if (error instanceof ClientWrongExpectedVersionError)
          throw await conflictError(streamId, events, expected, error.actualVersion);
        throw error;
      }
      // Only when the connection string sets throwOnAppendFailure=false.
      if (!result.success)
        throw await conflictError(streamId, events, expected, (await streamRevision(streamId)) ?? 'no_stream');
      // The response's position is not guaranteed to be the last event's (and an idempotent answer
      // may carry none), so it is read back: the port promises the position readAll shows (ADR 0007).
      return {
        nextExpectedRevision: result.nextExpectedRevision,
        position: await positionAt(streamId, result.nextExpectedRevision),
      };
    },

    async readStream(streamId, readOptions = {}) {
      assertOpen();
      const plan = planStreamRead(readOptions);
      return plan ? readFrom(streamId, plan.fromRevision, plan.maxCount) : [];
    },

    async streamRevision(streamId) {
      assertOpen();
      return streamRevision(streamId);
    },

    readAll,

    subscribeToAll(subscribeOptions, handler) {
      assertOpen();
      if (subscribeOptions.after) decodePosition(subscribeOptions.after); // a bad position fails here, not in a retry loop
      const maxCount = subscribeOptions.maxCount ?? batchSize;
      if (!Number.isSafeInteger(maxCount) || maxCount < 1)
        throw new RangeError(`subscribeToAll: maxCount must be a positive integer, not ${maxCount}`);
      const streamPrefix = subscribeOptions.streamPrefix || undefined;
      const subscription = runCatchUpSubscription({
        after: subscribeOptions.after ?? null,
        maxCount,
        open: (after) =>
          openFeed(client, { after, streamPrefix, maxCount, ...(options.logger ? { logger: options.logger } : {}) }),
        probe: () => newestVisible(client, streamPrefix),
        handler,
        comparePositions,
        timings,
        ...(subscribeOptions.onError ? { onError: subscribeOptions.onError } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        onStop: async () => {
          subscriptions.delete(subscription);
        },
      });
      subscriptions.add(subscription);
      return subscription;
    },

    comparePositions,

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      await client.dispose();
    },
  };
}
