import type { Position, StoredEvent, Subscription } from './eventStore.port.js';

/** A wake-up signal: `wait` resolves on `notify`, on timeout, or on `abort`; `pause` ignores `notify`. */
export interface Wakeup {
  notify(): void;
  /** Resolves true when woken by `notify`. */
  wait(ms: number): Promise<boolean>;
  pause(ms: number): Promise<void>;
  abort(): void;
}

export function createWakeup(): Wakeup {
  let pending = false;
  let aborted = false;
  let wake: (() => void) | null = null;
  let interrupt: (() => void) | null = null;
  return {
    notify() {
      pending = true;
      wake?.();
    },
    wait(ms) {
      if (pending || aborted) {
        const notified = pending;
        pending = false;
        return Promise.resolve(notified);
      }
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = null;
          const notified = pending;
          pending = false;
          resolve(notified);
        }
        wake = done;
      });
    },
    pause(ms) {
      if (aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          interrupt = null;
          resolve();
        }
        interrupt = done;
      });
    },
    abort() {
      aborted = true;
      wake?.();
      interrupt?.();
    },
  };
}

/** One read of a feed: at most one batch, and whether committed events wait behind an open transaction. */
export interface FeedBatch {
  readonly events: StoredEvent[];
  /**
   * Committed events after the position that the read could not deliver yet: an older transaction
   * that may still write here is open (docs/adr/0030). It may end without a NOTIFY (a rollback),
   * so the loop looks again soon.
   */
  readonly heldBack: boolean;
  /** The read returned fewer events than it asked for: nothing more was readable when it ran. */
  readonly drained: boolean;
}

export interface SubscriptionLoopOptions {
  readonly after: Position | null;
  /** Committed events after `after` (null = from the start), at most one batch. */
  readonly readBatch: (after: Position | null) => Promise<FeedBatch>;
  readonly handler: (events: readonly StoredEvent[]) => Promise<void>;
  readonly wakeup: Wakeup;
  /**
   * The pause after an empty read that followed a wake (or found events held back): the store may
   * show them any moment (the recheck schedule of docs/adr/0025).
   */
  readonly idleMs: (emptyReadsSinceWake: number) => number;
  /**
   * The pause after an empty read that only confirmed the last batch caught up, nothing held back:
   * the next event's NOTIFY (or this timeout) wakes the loop. Default: `idleMs(0)` (docs/adr/0034).
   */
  readonly caughtUpMs?: number;
  readonly onError?: (error: unknown) => void;
  readonly onStop?: () => Promise<void>;
}

const maxRetryDelayMs = 2_000;

/**
 * Catch-up then live: read a batch after the checkpoint, hand it over, advance the checkpoint only
 * when the handler succeeded. A failure is retried from the same checkpoint, so nothing is skipped
 * or reordered; `stop()` resolves after the batch in flight.
 */
export function runSubscriptionLoop(options: SubscriptionLoopOptions): Subscription {
  let stopped = false;
  let checkpoint = options.after;
  let failures = 0;
  let emptyReads = 0;
  // True from a NOTIFY-woken wait until a read delivers something: an empty read then means the
  // store has not shown the notified event yet, so the recheck schedule applies.
  let sinceWake = false;

  /** Waits for the next NOTIFY (or the caught-up timeout); an empty read after it rechecks. */
  async function caughtUp(): Promise<void> {
    if (await options.wakeup.wait(options.caughtUpMs ?? options.idleMs(0))) {
      emptyReads = 0;
      sinceWake = true;
    }
  }

  async function step(): Promise<void> {
    try {
      const { events: batch, heldBack, drained } = await options.readBatch(checkpoint);
      if (stopped) return;
      if (batch.length === 0) {
        // After a delivered batch, an empty read with nothing held back means caught up: every event
        // committed later sends a NOTIFY. Rechecking every few ms here cost the relay ~20 reads per
        // write while a board was busy (docs/adr/0034).
        if (!sinceWake && !heldBack) return await caughtUp();
        if (await options.wakeup.wait(options.idleMs(emptyReads++))) emptyReads = 0;
        return;
      }
      emptyReads = 0;
      sinceWake = false;
      await options.handler(batch);
      checkpoint = batch[batch.length - 1]?.position ?? checkpoint;
      failures = 0;
      // Everything readable is delivered and nothing waits behind an open transaction: the next
      // event's NOTIFY wakes the loop, so reading again now would only find nothing (docs/adr/0034).
      if (drained && !heldBack && !stopped) await caughtUp();
    } catch (error) {
      failures += 1;
      options.onError?.(error);
      if (!stopped) await options.wakeup.pause(Math.min(maxRetryDelayMs, 10 * 2 ** failures));
    }
  }

  const done = (async () => {
    while (!stopped) await step();
  })();
  let stopping: Promise<void> | null = null;

  return {
    stop() {
      stopping ??= (async () => {
        stopped = true;
        options.wakeup.abort();
        await done;
        await options.onStop?.();
      })();
      return stopping;
    },
  };
}
