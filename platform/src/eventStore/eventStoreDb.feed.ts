import { BACKWARDS, END, START, streamNameFilter } from '@eventstore/db-client';
import type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  EventStoreDBClient,
  Position as ClientPosition,
} from '@eventstore/db-client';
import type { Logger } from 'pino';
import type { FeedSource } from './catchUpSubscription.js';
import type { Position } from './eventStore.port.js';
import { fromLogPosition, isVisible, streamFilterPlan, toLogPosition, toStoredEvent } from './eventStoreDb.mapping.js';
import { createFeedQueue } from './feedQueue.js';

/** How far back the watchdog looks for the newest event a subscription should have sent. */
const probeWindow = 100;

export interface FeedOptions {
  readonly after: Position | null;
  readonly streamPrefix: string | undefined;
  readonly maxCount: number;
  readonly logger?: Logger;
}

/** The newest position the subscription's filter lets through, among the last events of $all. */
export async function newestVisible(
  client: EventStoreDBClient,
  streamPrefix: string | undefined,
): Promise<Position | null> {
  const read = client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: probeWindow });
  for await (const resolved of read) {
    if (resolved.event && isVisible(resolved.event.streamId, streamPrefix)) {
      await read.cancel();
      return fromLogPosition(resolved.event.position);
    }
  }
  return null;
}

/** One server-side catch-up subscription (never a persistent one: order matters), fed into a queue. */
export function openFeed(
  client: EventStoreDBClient,
  { after, streamPrefix, maxCount, logger }: FeedOptions,
): FeedSource {
  const queue = createFeedQueue({
    highWater: Math.max(2 * maxCount, 64),
    pause: () => subscription.pause(),
    resume: () => subscription.resume(),
  });
  const checkpointReached = (_: AllStreamSubscription, position: ClientPosition) =>
    queue.push({ kind: 'checkpoint', position: fromLogPosition(position) });
  const plan = streamFilterPlan(streamPrefix);
  const filter =
    'prefixes' in plan
      ? streamNameFilter({ prefixes: plan.prefixes, checkpointReached })
      : streamNameFilter({ regex: plan.regex, checkpointReached });
  // The queue calls pause/resume only once events flow, after this assignment.
  const subscription = client.subscribeToAll({ fromPosition: after ? toLogPosition(after) : START, filter });
  subscription.on('confirmation', () => queue.push({ kind: 'confirmed' }));
  subscription.on('caughtUp', () => queue.push({ kind: 'caughtUp' }));
  subscription.on('fellBehind', () => queue.push({ kind: 'fellBehind' }));
  subscription.on('data', (resolved: AllStreamResolvedEvent) => {
    try {
      if (resolved.event && isVisible(resolved.event.streamId, streamPrefix))
        queue.push({ kind: 'event', event: toStoredEvent(resolved.event) });
    } catch (error) {
      queue.fail(error);
    }
  });
  subscription.on('error', (error: Error) => queue.fail(error));
  subscription.on('end', () => queue.end());
  let closing: Promise<void> | null = null;
  return {
    take: (maxEvents, timeoutMs) => queue.take(maxEvents, timeoutMs),
    close() {
      closing ??= (async () => {
        queue.end();
        try {
          await subscription.unsubscribe();
        } catch (error) {
          logger?.debug({ err: error }, 'event store subscription: unsubscribe failed');
        }
      })();
      return closing;
    },
  };
}
