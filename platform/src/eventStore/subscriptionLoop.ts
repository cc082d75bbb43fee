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

export interface SubscriptionLoopOptions {
  readonly after: Position | null;
  /** Committed events after `after` (null = from the start), at most one batch. */
  readonly readBatch: (after: Position | null) => Promise<StoredEvent[]>;
  readonly handler: (events: readonly StoredEvent[]) => Promise<void>;
  readonly wakeup: Wakeup;
  /** How long to sleep when caught up and not woken. */
  readonly idleMs: (emptyReadsSinceWake: number) => number;
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

  async function step(): Promise<void> {
    try {
      const batch = await options.readBatch(checkpoint);
      if (stopped) return;
      if (batch.length === 0) {
        const notified = await options.wakeup.wait(options.idleMs(emptyReads++));
        if (notified) emptyReads = 0;
        return;
      }
      emptyReads = 0;
      await options.handler(batch);
      checkpoint = batch[batch.length - 1]?.position ?? checkpoint;
      failures = 0;
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
