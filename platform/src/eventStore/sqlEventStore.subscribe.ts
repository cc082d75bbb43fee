import type { Logger } from 'pino';
import type { Sql } from '../sql/sql.port.js';
import type { EventStore, Position, ReadAllOptions, SubscribeToAllOptions, Subscription } from './eventStore.port.js';
import { decodePosition } from './position.js';
import { createFeedWatchdog } from './feedWatchdog.js';
import { createWakeup, runSubscriptionLoop } from './subscriptionLoop.js';
import type { FeedBatch, Wakeup } from './subscriptionLoop.js';

export interface SqlSubscriptionsOptions {
  readonly sql: Sql;
  /** The schema's quoted identifier. */
  readonly s: string;
  /** The NOTIFY channel every append sends. */
  readonly channel: string;
  readonly readFeed: (options: ReadAllOptions) => Promise<FeedBatch>;
  readonly pollIntervalMs: number;
  readonly recheckAfterEmptyWakeMs: number;
  readonly maxRecheckAfterWakeMs: number;
  readonly recheckSteadyReads: number;
  readonly batchSize: number;
  readonly logger?: Logger | undefined;
}

export interface SqlSubscriptions {
  readonly subscribeToAll: EventStore['subscribeToAll'];
  /** Stops every subscription and the LISTEN. */
  close(): Promise<void>;
}

/**
 * The pause before the next read when `emptyReadsSinceWake` reads since the last NOTIFY found
 * nothing (xmin held back by an older transaction, docs/adr/0016 and 0025): 1, 2, 4, 4, … ms for
 * the first `recheckSteadyReads` rechecks, then doubling up to the poll interval. Pure doubling
 * overshoots a short hold by up to its own length (a hold of 9 ms was seen at 15 ms).
 */
export function recheckDelayMs(
  emptyReadsSinceWake: number,
  options: Pick<
    SqlSubscriptionsOptions,
    'pollIntervalMs' | 'recheckAfterEmptyWakeMs' | 'maxRecheckAfterWakeMs' | 'recheckSteadyReads'
  >,
): number {
  const doubled = options.recheckAfterEmptyWakeMs * 2 ** emptyReadsSinceWake;
  const steady = Math.min(doubled, options.maxRecheckAfterWakeMs);
  const delay =
    emptyReadsSinceWake < options.recheckSteadyReads
      ? steady
      : steady * 2 ** (emptyReadsSinceWake - options.recheckSteadyReads + 1);
  return Math.min(options.pollIntervalMs, delay);
}

/**
 * The store's live feed: every subscription polls `readAll` from its position, woken early by the
 * appends' NOTIFY (one LISTEN for all of them).
 */
export function createSqlSubscriptions(options: SqlSubscriptionsOptions): SqlSubscriptions {
  const { sql, logger } = options;
  const wakeups = new Set<Wakeup>();
  const subscriptions = new Set<Subscription>();
  let unlisten: Promise<(() => Promise<void>) | null> | null = null;

  function startListening(): void {
    unlisten ??= sql
      .listen(options.channel, () => {
        for (const wakeup of wakeups) wakeup.notify();
      })
      .catch((error: unknown) => {
        // Polling still delivers everything, only later.
        logger?.warn(
          { err: error, channel: options.channel },
          'event store LISTEN failed; subscriptions fall back to polling',
        );
        return null;
      });
  }

  function batchReader(subscribeOptions: SubscribeToAllOptions): (after: Position | null) => Promise<FeedBatch> {
    const watchdog = createFeedWatchdog({ db: sql, schema: options.s, ...(logger ? { logger } : {}) });
    return async (after) => {
      const batch = await options.readFeed({
        after,
        maxCount: subscribeOptions.maxCount ?? options.batchSize,
        ...(subscribeOptions.streamPrefix ? { streamPrefix: subscribeOptions.streamPrefix } : {}),
      });
      if (batch.events.length === 0 && batch.heldBack && logger) await watchdog(after);
      return batch;
    };
  }

  return {
    subscribeToAll(subscribeOptions, handler) {
      startListening();
      if (subscribeOptions.after) decodePosition(subscribeOptions.after); // a bad position fails here, not in a retry loop
      const wakeup = createWakeup();
      wakeups.add(wakeup);
      const subscription = runSubscriptionLoop({
        after: subscribeOptions.after ?? null,
        readBatch: batchReader(subscribeOptions),
        handler,
        wakeup,
        // A NOTIFY can arrive while an older transaction still holds xmin back: look again soon.
        // xmin is the whole server's (any database's transaction holds it), so in a cluster the first
        // read after a wake often comes back empty, and every such event pays the first pause.
        idleMs: (emptyReadsSinceWake) => recheckDelayMs(emptyReadsSinceWake, options),
        caughtUpMs: options.pollIntervalMs,
        onError: (error) => {
          logger?.warn({ err: error }, 'event store subscription failed; retrying from its last position');
          subscribeOptions.onError?.(error);
        },
        onStop: async () => {
          wakeups.delete(wakeup);
          subscriptions.delete(subscription);
        },
      });
      subscriptions.add(subscription);
      return subscription;
    },

    async close() {
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      const stopListening = await unlisten;
      await stopListening?.();
    },
  };
}
