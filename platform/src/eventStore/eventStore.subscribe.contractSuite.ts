import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventStore, StoredEvent } from './eventStore.port.js';
import { events, readAllSettled } from './eventStore.contractSuite.js';

/**
 * The `subscribeToAll` part of the event store contract (eventStore.contractSuite.ts runs it inside
 * its own describe, on the same fresh store per test).
 */
export function subscribeContract(current: () => { readonly store: EventStore; readonly stream: () => string }): void {
  describe('subscribeToAll', () => {
    let store: EventStore;
    let stream: () => string;
    beforeEach(() => {
      ({ store, stream } = current());
    });
    it('delivers the stored events, then live ones, in order', async () => {
      const prefix = `${stream()}-`;
      const before = events(3);
      await store.appendToStream(`${prefix}a`, before);
      const seen: StoredEvent[] = [];
      const subscription = store.subscribeToAll({ streamPrefix: prefix }, async (batch) => {
        seen.push(...batch);
      });
      await vi.waitFor(() => expect(seen).toHaveLength(3), { timeout: 10_000, interval: 10 });
      const live = events(2);
      await store.appendToStream(`${prefix}b`, live);
      await vi.waitFor(() => expect(seen.map((e) => e.id)).toEqual([...before, ...live].map((e) => e.id)), {
        timeout: 10_000,
        interval: 10,
      });
      await subscription.stop();
    });

    it('starts after the given position', async () => {
      const prefix = `${stream()}-`;
      const batch = events(4);
      await store.appendToStream(`${prefix}a`, batch);
      const [, second] = await readAllSettled(store, { streamPrefix: prefix }, batch.length);
      const seen: string[] = [];
      const subscription = store.subscribeToAll({ streamPrefix: prefix, after: second!.position }, async (got) => {
        seen.push(...got.map((e) => e.id));
      });
      await vi.waitFor(() => expect(seen).toEqual(batch.slice(2).map((e) => e.id)), {
        timeout: 10_000,
        interval: 10,
      });
      await subscription.stop();
    });

    it('refuses a position that is not one, at once', () => {
      expect(() => store.subscribeToAll({ after: 'nonsense' }, async () => undefined)).toThrow(TypeError);
    });

    it('waits for the batch in flight on stop, then delivers nothing more', async () => {
      const prefix = `${stream()}-`;
      let finished = 0;
      let started = 0;
      const subscription = store.subscribeToAll({ streamPrefix: prefix }, async (batch) => {
        started += batch.length;
        await new Promise((resolve) => setTimeout(resolve, 100));
        finished += batch.length;
      });
      await store.appendToStream(`${prefix}a`, events(1));
      await vi.waitFor(() => expect(started).toBe(1), { timeout: 10_000, interval: 10 });
      await subscription.stop();
      expect(finished).toBe(1);
      await store.appendToStream(`${prefix}a`, events(1));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(started).toBe(1);
    });

    it('retries a failed batch from the last handled position, skipping and reordering nothing', async () => {
      const prefix = `${stream()}-`;
      const handled: string[] = [];
      const errors: unknown[] = [];
      let failuresLeft = 3;
      const subscription = store.subscribeToAll(
        { streamPrefix: prefix, maxCount: 2, onError: (error) => errors.push(error) },
        async (batch) => {
          if (handled.length >= 2 && failuresLeft > 0) {
            failuresLeft -= 1;
            throw new Error('handler down');
          }
          handled.push(...batch.map((e) => e.id));
        },
      );
      const appended = events(7);
      for (const event of appended) await store.appendToStream(`${prefix}a`, [event]);
      await vi.waitFor(() => expect(handled).toEqual(appended.map((e) => e.id)), { timeout: 10_000, interval: 10 });
      expect(errors).toHaveLength(3);
      await subscription.stop();
    });
  });
}
