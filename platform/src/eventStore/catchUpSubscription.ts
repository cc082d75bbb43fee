import type { Logger } from 'pino';
import type { Position, StoredEvent, Subscription } from './eventStore.port.js';
import type { FeedSignal } from './feedQueue.js';
import { createWakeup } from './subscriptionLoop.js';

/** One open server subscription, as the loop sees it. */
export interface FeedSource {
  /** See `FeedQueue.take`. */
  take(maxEvents: number, timeoutMs: number): Promise<FeedSignal[]>;
  /** Idempotent; wakes a pending `take`. */
  close(): Promise<void>;
}

export interface WatchdogTimings {
  /** A new subscription must be confirmed by the server within this. Default 10 s. */
  readonly confirmTimeoutMs: number;
  /** While idle, look this often whether the store holds events the subscription has not sent. Default 5 s. */
  readonly probeIntervalMs: number;
  /** An event the store shows but the subscription has not sent for this long means it is stuck. Default 15 s. */
  readonly stallMs: number;
  /** Back-off after a failure, doubling from min to max. Defaults 100 ms and 5 s. */
  readonly minRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
}

export const defaultWatchdogTimings: WatchdogTimings = {
  confirmTimeoutMs: 10_000,
  probeIntervalMs: 5_000,
  stallMs: 15_000,
  minRetryDelayMs: 100,
  maxRetryDelayMs: 5_000,
};

/** The watchdog gave up on a subscription; the loop resubscribes from the last handled position. */
export class SubscriptionStalledError extends Error {
  override readonly name = 'SubscriptionStalledError';
}

export interface CatchUpSubscriptionOptions {
  readonly after: Position | null;
  /** Events per handler call. */
  readonly maxCount: number;
  /** Subscribes after `after` (exclusive; null = from the start). Failures surface through `take`. */
  readonly open: (after: Position | null) => FeedSource;
  /** The newest position the subscription should reach, read from the store; null when none. */
  readonly probe: () => Promise<Position | null>;
  readonly handler: (events: readonly StoredEvent[]) => Promise<void>;
  readonly comparePositions: (a: Position, b: Position) => number;
  readonly timings: WatchdogTimings;
  readonly onError?: (error: unknown) => void;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly onStop?: () => Promise<void>;
}

/**
 * A server-pushed catch-up subscription made safe for an awaited handler (docs/architecture.md, ADR 0007):
 * batches go to the handler in order, one at a time, and the checkpoint advances only when it
 * succeeded. Any failure (handler, server error, end of stream, watchdog) closes the server
 * subscription and opens a new one after the last handled position, so nothing is skipped and
 * positions at or before the checkpoint are dropped: each event is handled once per subscription.
 */
export function runCatchUpSubscription(options: CatchUpSubscriptionOptions): Subscription {
  const now = options.now ?? Date.now;
  const { timings } = options;
  const compare = options.comparePositions;
  const later = (a: Position | null, b: Position): boolean => a === null || compare(b, a) > 0;
  const pauses = createWakeup();
  let stopped = false;
  let checkpoint = options.after;
  let failures = 0;
  let current: FeedSource | null = null;

  /** One server subscription, until it fails or the subscription stops. */
  async function session(): Promise<void> {
    const source = options.open(checkpoint);
    current = source;
    const openedAt = now();
    let confirmed = false;
    let progress = checkpoint;
    let idleSince = now();
    let suspect: { readonly position: Position; readonly at: number } | null = null;

    // Silence is fine while the store has nothing newer for us; it is not when it has (docs/architecture.md).
    async function checkLiveness(): Promise<void> {
      if (!confirmed && now() - openedAt >= timings.confirmTimeoutMs) {
        throw new SubscriptionStalledError(
          `EventStoreDB did not confirm the subscription within ${timings.confirmTimeoutMs} ms`,
        );
      }
      if (now() - idleSince < timings.probeIntervalMs) return;
      let newest: Position | null;
      try {
        newest = await options.probe();
      } catch (error) {
        options.logger?.warn({ err: error }, 'event store subscription watchdog could not read the store');
        return;
      }
      if (newest === null || !later(progress, newest)) {
        suspect = null;
        return;
      }
      suspect ??= { position: newest, at: now() };
      if (later(progress, suspect.position) && now() - suspect.at >= timings.stallMs) {
        throw new SubscriptionStalledError(
          `EventStoreDB sent nothing for ${now() - idleSince} ms while the store holds newer events`,
        );
      }
    }

    try {
      while (!stopped) {
        const untilConfirm = confirmed
          ? timings.probeIntervalMs
          : Math.max(1, timings.confirmTimeoutMs - (now() - openedAt));
        const signals = await source.take(options.maxCount, Math.min(timings.probeIntervalMs, untilConfirm));
        if (stopped) return;
        if (signals.length === 0) {
          await checkLiveness();
          continue;
        }
        const batch: StoredEvent[] = [];
        for (const signal of signals) {
          if (signal.kind === 'fellBehind') options.logger?.info('event store subscription fell behind; catching up');
          confirmed = true;
          const position =
            signal.kind === 'event' ? signal.event.position : signal.kind === 'checkpoint' ? signal.position : null;
          if (position !== null && later(progress, position)) progress = position;
          // After a resubscription the server may repeat what was handled; order is checked too.
          if (signal.kind === 'event' && later(batch[batch.length - 1]?.position ?? checkpoint, signal.event.position))
            batch.push(signal.event);
        }
        suspect = null;
        if (batch.length > 0) {
          await options.handler(batch);
          checkpoint = batch[batch.length - 1]?.position ?? checkpoint;
          failures = 0;
        }
        idleSince = now();
      }
    } finally {
      current = null;
      await source.close();
    }
  }

  const done = (async () => {
    while (!stopped) {
      try {
        await session();
      } catch (error) {
        if (stopped) break;
        failures += 1;
        options.logger?.warn(
          { err: error, failures },
          'event store subscription failed; resubscribing from its last handled position',
        );
        options.onError?.(error);
        await pauses.pause(Math.min(timings.maxRetryDelayMs, timings.minRetryDelayMs * 2 ** (failures - 1)));
      }
    }
  })();

  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        stopped = true;
        pauses.abort();
        await current?.close();
        await done;
        await options.onStop?.();
      })();
      return stopping;
    },
  };
}
