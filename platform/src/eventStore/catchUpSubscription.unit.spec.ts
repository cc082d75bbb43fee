import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Position, StoredEvent, Subscription } from './eventStore.port.js';
import { runCatchUpSubscription, SubscriptionStalledError } from './catchUpSubscription.js';
import type { CatchUpSubscriptionOptions, FeedSource, WatchdogTimings } from './catchUpSubscription.js';
import { createFeedQueue, FeedEndedError } from './feedQueue.js';
import type { FeedQueue } from './feedQueue.js';
import { comparePositions, encodePosition } from './position.js';

const timings: WatchdogTimings = {
  confirmTimeoutMs: 150,
  probeIntervalMs: 20,
  stallMs: 100,
  minRetryDelayMs: 5,
  maxRetryDelayMs: 20,
};

interface FakeFeed {
  readonly queue: FeedQueue;
  readonly after: Position | null;
  /** A stuck subscription: the server side stops sending. */
  stuck: boolean;
}

/**
 * An in-process stand-in for EventStoreDB's catch-up subscription: a log, and feeds that replay it
 * after a position, then push what is appended. Knobs make it fail, end, repeat or go silent.
 */
class FakeServer {
  readonly log: StoredEvent[] = [];
  readonly feeds: FakeFeed[] = [];
  /** False: new feeds stay silent, not even confirming. */
  confirms = true;
  /** The next feed replays this many already-handled events first (a server may repeat). */
  repeat = 0;
  /** The next feed goes silent after replaying. */
  stickNext = false;

  append(count: number): void {
    for (let n = 0; n < count; n += 1) {
      const event: StoredEvent = {
        id: randomUUID(),
        streamId: 'board-1',
        type: 'Tested',
        revision: BigInt(this.log.length),
        position: encodePosition(BigInt(this.log.length + 1) * 100n, BigInt(this.log.length + 1) * 100n),
        data: null,
        metadata: {},
        recordedAt: new Date(0),
      };
      this.log.push(event);
      for (const feed of this.live()) feed.queue.push({ kind: 'event', event });
    }
  }

  live(): FakeFeed[] {
    return this.feeds.filter((feed) => !feed.stuck);
  }

  open = (after: Position | null): FeedSource => {
    const queue = createFeedQueue({ highWater: 1_000, pause: () => undefined, resume: () => undefined });
    const feed: FakeFeed = { queue, after, stuck: false };
    feed.stuck = !this.confirms;
    if (this.confirms) {
      queue.push({ kind: 'confirmed' });
      const start = after === null ? 0 : this.log.findIndex((event) => comparePositions(event.position, after) > 0);
      const from = start < 0 ? this.log.length : Math.max(0, start - this.repeat);
      this.repeat = 0;
      for (const event of this.log.slice(from)) queue.push({ kind: 'event', event });
      queue.push({ kind: 'caughtUp' });
      feed.stuck = this.stickNext;
    }
    this.stickNext = false;
    this.feeds.push(feed);
    return { take: (max, timeout) => queue.take(max, timeout), close: async () => queue.end() };
  };

  probe = async (): Promise<Position | null> => this.log[this.log.length - 1]?.position ?? null;
}

describe('Catch-up subscription', () => {
  let subscription: Subscription | null = null;
  afterEach(async () => {
    await subscription?.stop();
    subscription = null;
  });

  function start(
    server: FakeServer,
    overrides: Partial<CatchUpSubscriptionOptions> & Pick<CatchUpSubscriptionOptions, 'handler'>,
  ): Subscription {
    subscription = runCatchUpSubscription({
      after: null,
      maxCount: 3,
      open: server.open,
      probe: server.probe,
      comparePositions,
      timings,
      ...overrides,
    });
    return subscription;
  }

  const ids = (events: readonly StoredEvent[]) => events.map((event) => event.id);

  it('hands stored then live events over in order, in batches of at most maxCount, one batch at a time', async () => {
    const server = new FakeServer();
    server.append(5);
    const batches: StoredEvent[][] = [];
    let running = 0;
    let overlapped = false;
    start(server, {
      handler: async (batch) => {
        overlapped ||= running > 0;
        running += 1;
        await sleep(5);
        batches.push([...batch]);
        running -= 1;
      },
    });
    await vi.waitFor(() => expect(batches.flat()).toHaveLength(5), { timeout: 10_000, interval: 10 });
    server.append(4);
    await vi.waitFor(() => expect(ids(batches.flat())).toEqual(ids(server.log)), { timeout: 10_000, interval: 10 });
    expect(batches.every((batch) => batch.length >= 1 && batch.length <= 3)).toBe(true);
    expect(overlapped).toBe(false);
    expect(server.feeds).toHaveLength(1);
  });

  it('starts after the given position', async () => {
    const server = new FakeServer();
    server.append(4);
    const seen: StoredEvent[] = [];
    start(server, { after: server.log[1]!.position, handler: async (batch) => void seen.push(...batch) });
    await vi.waitFor(() => expect(ids(seen)).toEqual(ids(server.log.slice(2))), { timeout: 10_000, interval: 10 });
  });

  it('resubscribes after a failed handler from the last handled position, skipping and repeating nothing', async () => {
    const server = new FakeServer();
    server.append(7);
    const handled: StoredEvent[] = [];
    const errors: unknown[] = [];
    let failuresLeft = 2;
    start(server, {
      onError: (error) => errors.push(error),
      handler: async (batch) => {
        if (handled.length >= 3 && failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('handler down');
        }
        handled.push(...batch);
      },
    });
    await vi.waitFor(() => expect(ids(handled)).toEqual(ids(server.log)), { timeout: 10_000, interval: 10 });
    expect(errors).toHaveLength(2);
    expect(server.feeds).toHaveLength(3);
    expect(server.feeds[1]?.after).toBe(handled[2]?.position);
  });

  it('drops events at or before the checkpoint that a new server subscription repeats', async () => {
    const server = new FakeServer();
    server.append(4);
    const handled: StoredEvent[] = [];
    let failed = false;
    start(server, {
      handler: async (batch) => {
        if (!failed && handled.length === 3) {
          failed = true;
          server.repeat = 3;
          throw new Error('once');
        }
        handled.push(...batch);
      },
    });
    await vi.waitFor(() => expect(ids(handled)).toEqual(ids(server.log)), { timeout: 10_000, interval: 10 });
    await sleep(50);
    expect(new Set(ids(handled)).size).toBe(4);
  });

  it('resubscribes when the server fails or ends the subscription', async () => {
    const server = new FakeServer();
    server.append(2);
    const handled: StoredEvent[] = [];
    const errors: unknown[] = [];
    start(server, { onError: (error) => errors.push(error), handler: async (batch) => void handled.push(...batch) });
    await vi.waitFor(() => expect(handled).toHaveLength(2), { timeout: 10_000, interval: 10 });
    server.feeds[0]!.queue.fail(new Error('connection reset'));
    await vi.waitFor(() => expect(server.feeds).toHaveLength(2), { timeout: 10_000, interval: 10 });
    server.feeds[1]!.queue.end();
    await vi.waitFor(() => expect(server.feeds).toHaveLength(3), { timeout: 10_000, interval: 10 });
    server.append(2);
    await vi.waitFor(() => expect(ids(handled)).toEqual(ids(server.log)), { timeout: 10_000, interval: 10 });
    expect(errors[0]).toMatchObject({ message: 'connection reset' });
    expect(errors[1]).toBeInstanceOf(FeedEndedError);
  });

  describe('watchdog', () => {
    it('resubscribes when the server never confirms the subscription', async () => {
      const server = new FakeServer();
      server.confirms = false;
      const errors: unknown[] = [];
      start(server, { onError: (error) => errors.push(error), handler: async () => undefined });
      await vi.waitFor(() => expect(server.feeds.length).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 10 });
      expect(errors[0]).toBeInstanceOf(SubscriptionStalledError);
    });

    it('resubscribes when the subscription sends nothing while the store holds newer events', async () => {
      const server = new FakeServer();
      server.append(2);
      server.stickNext = true;
      const handled: StoredEvent[] = [];
      const errors: unknown[] = [];
      start(server, { onError: (error) => errors.push(error), handler: async (batch) => void handled.push(...batch) });
      await vi.waitFor(() => expect(handled).toHaveLength(2), { timeout: 10_000, interval: 10 });
      const appendedAt = Date.now();
      server.append(3); // the stuck feed never sends these
      await vi.waitFor(() => expect(ids(handled)).toEqual(ids(server.log)), { timeout: 5_000, interval: 10 });
      expect(Date.now() - appendedAt).toBeGreaterThanOrEqual(timings.stallMs);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(SubscriptionStalledError);
      expect(server.feeds).toHaveLength(2);
    });

    it('leaves a silent subscription alone while the store has nothing newer', async () => {
      const server = new FakeServer();
      server.append(2);
      const handled: StoredEvent[] = [];
      const errors: unknown[] = [];
      start(server, { onError: (error) => errors.push(error), handler: async (batch) => void handled.push(...batch) });
      await vi.waitFor(() => expect(handled).toHaveLength(2), { timeout: 10_000, interval: 10 });
      await sleep(timings.stallMs * 4);
      expect(errors).toEqual([]);
      expect(server.feeds).toHaveLength(1);
    });

    it('does not count a slow handler as silence', async () => {
      const server = new FakeServer();
      server.append(6);
      const errors: unknown[] = [];
      const handled: StoredEvent[] = [];
      start(server, {
        onError: (error) => errors.push(error),
        handler: async (batch) => {
          await sleep(timings.stallMs + 50);
          handled.push(...batch);
        },
      });
      await vi.waitFor(() => expect(handled).toHaveLength(6), { timeout: 5_000, interval: 10 });
      expect(errors).toEqual([]);
      expect(server.feeds).toHaveLength(1);
    });
  });

  it('waits for the batch in flight on stop, then delivers nothing more', async () => {
    const server = new FakeServer();
    let started = 0;
    let finished = 0;
    const stopping = start(server, {
      handler: async (batch) => {
        started += batch.length;
        await sleep(100);
        finished += batch.length;
      },
    });
    server.append(1);
    await vi.waitFor(() => expect(started).toBe(1), { timeout: 10_000, interval: 10 });
    await stopping.stop();
    expect(finished).toBe(1);
    server.append(1);
    await sleep(100);
    expect(started).toBe(1);
  });
});

describe('Feed queue', () => {
  const event = (n: number): StoredEvent => ({
    id: randomUUID(),
    streamId: 's',
    type: 'Tested',
    revision: BigInt(n),
    position: encodePosition(0n, BigInt(n)),
    data: null,
    metadata: {},
    recordedAt: new Date(0),
  });

  it('pauses the source at the high-water mark and resumes it once half is taken', async () => {
    const calls: string[] = [];
    const queue = createFeedQueue({
      highWater: 4,
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
    });
    for (let n = 0; n < 4; n += 1) queue.push({ kind: 'event', event: event(n) });
    expect(calls).toEqual(['pause']);
    expect(await queue.take(1, 10)).toHaveLength(1);
    expect(calls).toEqual(['pause']);
    expect(await queue.take(1, 10)).toHaveLength(1);
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('hands out at most maxEvents events, with the signals between them', async () => {
    const queue = createFeedQueue({ highWater: 100, pause: () => undefined, resume: () => undefined });
    queue.push({ kind: 'confirmed' });
    queue.push({ kind: 'event', event: event(1) });
    queue.push({ kind: 'checkpoint', position: encodePosition(0n, 5n) });
    queue.push({ kind: 'event', event: event(2) });
    expect((await queue.take(1, 10)).map((signal) => signal.kind)).toEqual(['confirmed', 'event', 'checkpoint']);
    expect((await queue.take(5, 10)).map((signal) => signal.kind)).toEqual(['event']);
  });

  it('answers nothing on timeout, wakes on a push, and reports a failure after what was buffered', async () => {
    const queue = createFeedQueue({ highWater: 100, pause: () => undefined, resume: () => undefined });
    expect(await queue.take(5, 10)).toEqual([]);
    const waiting = queue.take(5, 5_000);
    queue.push({ kind: 'event', event: event(1) });
    expect(await waiting).toHaveLength(1);
    queue.push({ kind: 'event', event: event(2) });
    queue.fail(new Error('reset'));
    expect(await queue.take(5, 10)).toHaveLength(1);
    await expect(queue.take(5, 10)).rejects.toThrow('reset');
    const ended = createFeedQueue({ highWater: 100, pause: () => undefined, resume: () => undefined });
    ended.end();
    await expect(ended.take(5, 10)).rejects.toBeInstanceOf(FeedEndedError);
  });
});
