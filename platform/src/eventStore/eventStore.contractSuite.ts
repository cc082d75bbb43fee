import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateEventIdError, WrongExpectedVersionError } from './eventStore.port.js';
import type { EventStore, EventToAppend, ReadAllOptions, StoredEvent } from './eventStore.port.js';
import { eventStoreFaultContract } from './eventStore.faults.contractSuite.js';
import { readContract } from './eventStore.read.contractSuite.js';
import { subscribeContract } from './eventStore.subscribe.contractSuite.js';

export interface ContractStore {
  readonly store: EventStore;
  readonly cleanup: () => Promise<void>;
}

/**
 * docs/testing.md fault 1: runs inside an append after its writes, before it commits; waiting holds
 * the append open, throwing rolls it back.
 */
export type AppendFault = (streamId: string) => Promise<void>;

/**
 * Builds a fresh, empty store. Given a fault, the store (or the `Sql` under it) comes wrapped in a
 * test decorator that runs the fault in every append; the store itself knows nothing of it.
 */
export type MakeStore = (fault?: AppendFault) => Promise<ContractStore>;

export const newEvent = (type = 'Tested', data: unknown = { n: 1 }): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: { actorId: 'user-1', occurredAt: '2026-01-01T00:00:00.000Z' },
});

export const events = (count: number, type = 'Tested'): EventToAppend[] =>
  Array.from({ length: count }, (_, n) => newEvent(type, { n }));

/**
 * `readAll` shows a commit only once every transaction that began before it has ended (docs/architecture.md).
 * On a shared server that includes other databases' transactions, so wait until `count` events show.
 */
export async function readAllSettled(
  store: EventStore,
  options: ReadAllOptions,
  count: number,
  timeoutMs = 20_000,
): Promise<StoredEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await store.readAll(options);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );

export interface ContractOptions {
  /**
   * The store refuses an id it holds already wherever it is: in another stream, or in this stream
   * when the expected revision is the current one. True for PostgreSQL, PGlite and in memory.
   * EventStoreDB only recognises retries, and stores such ids again (ADR 0007).
   */
  readonly refusesEveryStoredId?: boolean;
  /** `make` applies the fault it is given (default true; EventStoreDB has no transaction to act in). */
  readonly takesFaults?: boolean;
}

/** The event store contract (docs/architecture.md): every adapter runs it. */
export function eventStoreContract(name: string, make: MakeStore, options: ContractOptions = {}): void {
  const refusesEveryStoredId = options.refusesEveryStoredId ?? true;
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    const stream = () => `contract-${randomUUID()}`;

    beforeEach(async () => {
      ({ store, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('appendToStream', () => {
      it('numbers a new stream from revision 0 and returns the last revision and position', async () => {
        const id = stream();
        const result = await store.appendToStream(id, events(3), { expectedRevision: 'no_stream' });
        const stored = await store.readStream(id);
        expect(stored.map((event) => event.revision)).toEqual([0n, 1n, 2n]);
        expect(result.nextExpectedRevision).toBe(2n);
        expect(result.position).toBe(stored[2]?.position);
      });

      it('stores id, type, data, metadata and the record time as given', async () => {
        const id = stream();
        const event = newEvent('TaskMoved', {
          taskId: 't1',
          nested: { list: [1, 'two', null] },
          text: `it's "quoted" \\ ünïcode`,
        });
        await store.appendToStream(id, [event]);
        const [stored] = await store.readStream(id);
        expect(stored).toMatchObject({
          id: event.id,
          streamId: id,
          type: 'TaskMoved',
          revision: 0n,
          data: event.data,
          metadata: event.metadata,
        });
        expect(stored?.recordedAt).toBeInstanceOf(Date);
      });

      it('gives the events of one append ascending positions in revision order', async () => {
        const id = stream();
        await store.appendToStream(id, events(5));
        const stored = await store.readStream(id);
        for (let n = 1; n < stored.length; n += 1)
          expect(store.comparePositions(stored[n - 1]!.position, stored[n]!.position)).toBe(-1);
      });

      describe('when the expected revision is no_stream', () => {
        it('refuses an existing stream, naming its revision', async () => {
          const id = stream();
          await store.appendToStream(id, events(2));
          const error = await rejection(store.appendToStream(id, events(1), { expectedRevision: 'no_stream' }));
          expect(error).toBeInstanceOf(WrongExpectedVersionError);
          expect(error).toMatchObject({ streamId: id, expected: 'no_stream', actual: 1n });
        });
      });

      describe('when the expected revision is stream_exists', () => {
        it('refuses a missing stream', async () => {
          const id = stream();
          const error = await rejection(store.appendToStream(id, events(1), { expectedRevision: 'stream_exists' }));
          expect(error).toMatchObject({ streamId: id, expected: 'stream_exists', actual: 'no_stream' });
          expect(await store.streamRevision(id)).toBeNull();
        });

        it('appends to an existing stream', async () => {
          const id = stream();
          await store.appendToStream(id, events(1));
          const result = await store.appendToStream(id, events(1), { expectedRevision: 'stream_exists' });
          expect(result.nextExpectedRevision).toBe(1n);
        });
      });

      describe('when the expected revision is a number', () => {
        it('appends when it is the current revision', async () => {
          const id = stream();
          await store.appendToStream(id, events(2));
          const result = await store.appendToStream(id, events(2), { expectedRevision: 1n });
          expect(result.nextExpectedRevision).toBe(3n);
        });

        it('refuses a stale revision and writes nothing', async () => {
          const id = stream();
          await store.appendToStream(id, events(3));
          const error = await rejection(store.appendToStream(id, events(1), { expectedRevision: 1n }));
          expect(error).toBeInstanceOf(WrongExpectedVersionError);
          expect(error).toMatchObject({ streamId: id, expected: 1n, actual: 2n });
          expect(await store.streamRevision(id)).toBe(2n);
        });

        it('refuses a missing stream', async () => {
          const id = stream();
          const error = await rejection(store.appendToStream(id, events(1), { expectedRevision: 0n }));
          expect(error).toMatchObject({ streamId: id, expected: 0n, actual: 'no_stream' });
        });
      });

      describe('when the expected revision is any (the default)', () => {
        it('creates the stream, then appends at its end', async () => {
          const id = stream();
          await store.appendToStream(id, events(1));
          const result = await store.appendToStream(id, events(2), { expectedRevision: 'any' });
          expect(result.nextExpectedRevision).toBe(2n);
        });
      });

      describe('when the batch is malformed', () => {
        it('refuses an empty batch, an id that is not a UUID and an id used twice', async () => {
          const id = stream();
          await expect(store.appendToStream(id, [])).rejects.toBeInstanceOf(RangeError);
          await expect(store.appendToStream(id, [{ ...newEvent(), id: 'not-a-uuid' }])).rejects.toBeInstanceOf(
            TypeError,
          );
          const twice = newEvent();
          await expect(store.appendToStream(id, [twice, twice])).rejects.toBeInstanceOf(DuplicateEventIdError);
          expect(await store.streamRevision(id)).toBeNull();
        });
      });
    });

    describe('idempotent appends', () => {
      it('answers a retried batch with the original result and stores one copy', async () => {
        const id = stream();
        const batch = events(2);
        const first = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        const anyAgain = await store.appendToStream(id, batch);
        expect(again).toEqual(first);
        expect(anyAgain).toEqual(first);
        expect(await store.readStream(id)).toHaveLength(2);
      });

      it('still recognises the retry after the stream has moved on', async () => {
        const id = stream();
        await store.appendToStream(id, events(1));
        const batch = events(2);
        const first = await store.appendToStream(id, batch, { expectedRevision: 0n });
        await store.appendToStream(id, events(3));
        expect(await store.appendToStream(id, batch, { expectedRevision: 0n })).toEqual(first);
        expect(await store.streamRevision(id)).toBe(5n);
      });

      if (refusesEveryStoredId) {
        it('refuses the same batch at another expected revision', async () => {
          const id = stream();
          const batch = events(1);
          await store.appendToStream(id, batch);
          await expect(store.appendToStream(id, batch, { expectedRevision: 0n })).rejects.toBeInstanceOf(
            WrongExpectedVersionError,
          );
        });
      }

      it('refuses the same batch at a stale expected revision', async () => {
        const id = stream();
        const batch = events(1);
        await store.appendToStream(id, batch);
        await store.appendToStream(id, events(2));
        const error = await rejection(store.appendToStream(id, batch, { expectedRevision: 1n }));
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamId: id, expected: 1n, actual: 2n });
        expect(await store.streamRevision(id)).toBe(2n);
      });

      it('refuses a batch that only partly repeats stored ids, and writes none of it', async () => {
        const id = stream();
        const [a, b] = events(2);
        await store.appendToStream(id, [a!]);
        await expect(store.appendToStream(id, [a!, b!])).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.streamRevision(id)).toBe(0n);
      });

      it('refuses a batch that partly repeats stored ids at the place its expected revision names', async () => {
        const id = stream();
        const [a, b] = events(2);
        await store.appendToStream(id, [a!], { expectedRevision: 'no_stream' });
        const error = await rejection(store.appendToStream(id, [a!, b!], { expectedRevision: 'no_stream' }));
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ streamId: id });
        expect(await store.streamRevision(id)).toBe(0n);
      });

      if (refusesEveryStoredId) {
        it('refuses ids already stored in another stream', async () => {
          const batch = events(1);
          await store.appendToStream(stream(), batch);
          const other = stream();
          await expect(store.appendToStream(other, batch)).rejects.toBeInstanceOf(DuplicateEventIdError);
          expect(await store.streamRevision(other)).toBeNull();
        });
      }
    });

    readContract(() => ({ store, stream }));
    subscribeContract(() => ({ store, stream }));
  });

  eventStoreFaultContract(name, make, options.takesFaults ?? true);
}
