import type { Position, StoredEvent } from './eventStore.port.js';

/** What a push-based server subscription reports, in the order it reports it. */
export type FeedSignal =
  | { readonly kind: 'event'; readonly event: StoredEvent }
  /** The server has looked at the log up to here (filtered subscriptions). */
  | { readonly kind: 'checkpoint'; readonly position: Position }
  | { readonly kind: 'confirmed' }
  | { readonly kind: 'caughtUp' }
  | { readonly kind: 'fellBehind' };

/** The subscription ended without an error: a catch-up subscription never should. */
export class FeedEndedError extends Error {
  override readonly name = 'FeedEndedError';
  constructor() {
    super('The server ended the subscription');
  }
}

export interface FeedQueue {
  push(signal: FeedSignal): void;
  fail(error: unknown): void;
  end(): void;
  /**
   * Everything buffered, at most `maxEvents` events (other signals ride along), waiting up to
   * `timeoutMs` for the first; `[]` on timeout. Once the buffer is empty it throws the failure, or
   * `FeedEndedError` after `end()`.
   */
  take(maxEvents: number, timeoutMs: number): Promise<FeedSignal[]>;
}

export interface FeedQueueOptions {
  /** Buffered events at which the source is paused (back-pressure). */
  readonly highWater: number;
  readonly pause: () => void;
  readonly resume: () => void;
}

/** Turns a push source into batches a slow handler can pull, pausing the source while it is full. */
export function createFeedQueue(options: FeedQueueOptions): FeedQueue {
  const buffer: FeedSignal[] = [];
  let bufferedEvents = 0;
  let paused = false;
  let failure: { readonly error: unknown } | null = null;
  let ended = false;
  let wake: (() => void) | null = null;

  const notify = () => {
    wake?.();
    wake = null;
  };

  function drain(maxEvents: number): FeedSignal[] {
    const taken: FeedSignal[] = [];
    let events = 0;
    while (buffer.length > 0) {
      const next = buffer[0];
      if (next === undefined || (next.kind === 'event' && events >= maxEvents)) break;
      buffer.shift();
      if (next.kind === 'event') events += 1;
      taken.push(next);
    }
    bufferedEvents -= events;
    if (paused && bufferedEvents <= options.highWater / 2) {
      paused = false;
      options.resume();
    }
    return taken;
  }

  return {
    push(signal) {
      if (ended || failure) return;
      buffer.push(signal);
      if (signal.kind === 'event') bufferedEvents += 1;
      if (!paused && bufferedEvents >= options.highWater) {
        paused = true;
        options.pause();
      }
      notify();
    },
    fail(error) {
      if (ended || failure) return;
      failure = { error };
      notify();
    },
    end() {
      ended = true;
      notify();
    },
    async take(maxEvents, timeoutMs) {
      if (maxEvents < 1) throw new RangeError('take: maxEvents must be at least 1');
      if (buffer.length === 0 && !failure && !ended) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, timeoutMs);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          wake = done;
        });
      }
      if (buffer.length > 0) return drain(maxEvents);
      if (failure) throw failure.error;
      if (ended) throw new FeedEndedError();
      return [];
    },
  };
}
