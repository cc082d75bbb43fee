import { beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from './eventStore.port.js';
import { events, readAllSettled } from './eventStore.contractSuite.js';

/**
 * The reading part of the event store contract, `readStream` and `readAll` (eventStore.contractSuite.ts
 * runs it inside its own describe, on the same fresh store per test).
 */
export function readContract(current: () => { readonly store: EventStore; readonly stream: () => string }): void {
  let store: EventStore;
  let stream: () => string;
  beforeEach(() => {
    ({ store, stream } = current());
  });

  describe('readStream', () => {
    it('reads a revision range, limited by maxCount', async () => {
      const id = stream();
      await store.appendToStream(id, events(6));
      const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
        (await store.readStream(id, options)).map((e) => e.revision);
      expect(await revisions({ fromRevision: 2n })).toEqual([2n, 3n, 4n, 5n]);
      expect(await revisions({ fromRevision: 1n, toRevision: 3n })).toEqual([1n, 2n, 3n]);
      expect(await revisions({ fromRevision: 1n, maxCount: 2 })).toEqual([1n, 2n]);
      expect(await revisions({ fromRevision: 9n })).toEqual([]);
    });

    it('answers an empty list and a null revision for a missing stream', async () => {
      const id = stream();
      expect(await store.readStream(id)).toEqual([]);
      expect(await store.streamRevision(id)).toBeNull();
    });
  });

  describe('readAll', () => {
    it('reads every stream in commit order, after an exclusive position, limited by maxCount', async () => {
      const prefix = `${stream()}-`;
      const appended: string[] = [];
      for (const name of ['a', 'b', 'a', 'c']) {
        const batch = events(2);
        await store.appendToStream(`${prefix}${name}`, batch);
        appended.push(...batch.map((e) => e.id));
      }
      const all = await readAllSettled(store, { streamPrefix: prefix }, appended.length);
      expect(all.map((e) => e.id)).toEqual(appended);
      for (let n = 1; n < all.length; n += 1)
        expect(store.comparePositions(all[n - 1]!.position, all[n]!.position)).toBe(-1);
      const after = await store.readAll({ streamPrefix: prefix, after: all[2]!.position, maxCount: 3 });
      expect(after.map((e) => e.id)).toEqual(appended.slice(3, 6));
    });

    it('filters by stream prefix', async () => {
      const base = stream();
      await store.appendToStream(`${base}-board-1`, events(1));
      await store.appendToStream(`${base}-user-1`, events(1));
      await store.appendToStream(`${base}-board-2`, events(1));
      const boards = await readAllSettled(store, { streamPrefix: `${base}-board-` }, 2);
      expect(boards.map((e) => e.streamId)).toEqual([`${base}-board-1`, `${base}-board-2`]);
    });

    it('serialises positions as strings that compare like comparePositions', async () => {
      const id = stream();
      await store.appendToStream(id, events(12));
      const positions = (await store.readStream(id)).map((e) => e.position);
      expect([...positions].sort()).toEqual(positions);
      expect([...positions].reverse().sort((a, b) => store.comparePositions(a, b))).toEqual(positions);
    });
  });
}
