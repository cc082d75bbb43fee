import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WrongExpectedVersionError } from './eventStore.port.js';
import type { EventStore, EventToAppend, StoredEvent } from './eventStore.port.js';
import { readAllSettled } from './eventStore.contractSuite.js';
import { seededRandom } from '../testkit/random.testkit.js';
import type { AppendFault, MakeStore } from './eventStore.contractSuite.js';

const event = (writer: number): EventToAppend => ({ id: randomUUID(), type: 'Tested', data: { writer }, metadata: {} });

class RolledBackForTest extends Error {}

interface RoundResult {
  /** Committed event ids per stream, in revision order, from the append results. */
  readonly committed: Map<string, string[]>;
  readonly delivered: StoredEvent[];
  /** Appends that committed, and how often the fault ran (each committed append passes it once when the store takes it). */
  readonly committedAppends: number;
  readonly faultRuns: number;
}

/**
 * docs/testing.md fault 1: writers append to a few streams at once with random delays inside their
 * transactions; some roll back after the stream's compare-and-set. A subscription runs live the
 * whole time and must end with every committed event exactly once, per-stream order intact.
 */
async function runRound(make: MakeStore, seed: number, withRollbacks = true): Promise<RoundResult> {
  const random = seededRandom(seed);
  let faultRuns = 0;
  const fault: AppendFault = async () => {
    faultRuns += 1;
    await sleep(Math.floor(random() * 6));
    if (random() < 0.15) throw new RolledBackForTest('rolled back by the test');
  };
  // Without the fault the store runs undecorated, as in production, and must keep the same promises.
  const { store, cleanup } = await (withRollbacks ? make(fault) : make());
  try {
    // Unique per run: a long-lived server (EventStoreDB at EVENTSTORE_URL) keeps earlier runs' streams.
    const prefix = `fault-${seed}-${randomUUID().slice(0, 8)}-`;
    const streams = Array.from({ length: 4 }, (_, n) => `${prefix}${n}`);
    const delivered: StoredEvent[] = [];
    const subscription = store.subscribeToAll({ streamPrefix: prefix, maxCount: 7 }, async (batch) => {
      delivered.push(...batch);
    });
    const slots = new Map<string, Map<bigint, string>>(streams.map((id) => [id, new Map()]));
    let committedAppends = 0;
    const writer = async (writerId: number) => {
      for (let n = 0; n < 20; n += 1) {
        const streamId = streams[Math.floor(random() * streams.length)]!;
        const batch = Array.from({ length: 1 + Math.floor(random() * 3) }, () => event(writerId));
        await sleep(Math.floor(random() * 4));
        const explicit = random() < 0.5;
        try {
          const expectedRevision = explicit ? ((await store.streamRevision(streamId)) ?? 'no_stream') : 'any';
          const result = await store.appendToStream(streamId, batch, { expectedRevision });
          committedAppends += 1;
          batch.forEach((appended, index) =>
            slots.get(streamId)!.set(result.nextExpectedRevision - BigInt(batch.length - 1 - index), appended.id),
          );
        } catch (error) {
          if (!(error instanceof RolledBackForTest || error instanceof WrongExpectedVersionError)) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, writerId) => writer(writerId)));
    const committed = new Map(
      [...slots].map(([id, bySlot]) => [
        id,
        [...bySlot.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, id2]) => id2),
      ]),
    );
    const total = [...committed.values()].reduce((sum, ids) => sum + ids.length, 0);
    const deadline = Date.now() + 15_000;
    while (delivered.length < total && Date.now() < deadline) await sleep(20);
    await sleep(100); // anything extra (a duplicate) would arrive now
    await subscription.stop();
    return { committed, delivered, committedAppends, faultRuns };
  } finally {
    await cleanup();
  }
}

async function readEverything(store: EventStore, streamId: string): Promise<string[]> {
  return (await store.readStream(streamId)).map((e) => e.id);
}

/**
 * `takesFaults`: the store runs the fault in its appends (false for EventStoreDB, which has no
 * transaction to act in: its rounds run without rollbacks).
 */
export function eventStoreFaultContract(name: string, make: MakeStore, takesFaults = true): void {
  describe(`EventStore faults: ${name}`, () => {
    describe('when many writers append to a few streams at once, some rolling back', () => {
      it.each([11, 23, 37, 59, 71])(
        'delivers every committed event once, in per-stream order (seed %i)',
        async (seed) => {
          const { committed, delivered, committedAppends, faultRuns } = await runRound(make, seed);
          const committedIds = [...committed.values()].flat();
          // The round did real work. With group commit (docs/adr/0021) one item's fault rolls back its
          // whole shared transaction, so a loaded machine (bigger batches) commits far fewer appends.
          expect(committedIds.length).toBeGreaterThan(40);
          // The decorator really acted: every committed append passed the fault (and some did not commit).
          if (takesFaults) expect(faultRuns).toBeGreaterThan(committedAppends);
          expect(new Set(delivered.map((e) => e.id)).size).toBe(delivered.length);
          expect(delivered.map((e) => e.id).sort()).toEqual([...committedIds].sort());
          for (const [streamId, ids] of committed) {
            const inFeed = delivered.filter((e) => e.streamId === streamId);
            expect(inFeed.map((e) => e.id)).toEqual(ids);
            expect(inFeed.map((e) => e.revision)).toEqual(ids.map((_, n) => BigInt(n)));
          }
        },
      );

      it.each([41, 53, 67])(
        'delivers every committed event once, in per-stream order, without the fault decorator (seed %i)',
        async (seed) => {
          const { committed, delivered } = await runRound(make, seed, false);
          const committedIds = [...committed.values()].flat();
          expect(committedIds.length).toBeGreaterThan(100);
          expect(delivered.map((e) => e.id).sort()).toEqual([...committedIds].sort());
          for (const [streamId, ids] of committed) {
            const inFeed = delivered.filter((e) => e.streamId === streamId);
            expect(inFeed.map((e) => e.id)).toEqual(ids);
            expect(inFeed.map((e) => e.revision)).toEqual(ids.map((_, n) => BigInt(n)));
          }
        },
      );
    });

    describe('when N writers create the same stream at once', () => {
      it('lets exactly one win and tells the others the stream exists', async () => {
        const { store, cleanup } = await make();
        try {
          const streamId = `race-${randomUUID()}`;
          const batches = Array.from({ length: 10 }, (_, n) => [event(n), event(n)]);
          const results = await Promise.allSettled(
            batches.map((batch) => store.appendToStream(streamId, batch, { expectedRevision: 'no_stream' })),
          );
          const winners = results.flatMap((result, n) => (result.status === 'fulfilled' ? [n] : []));
          expect(winners).toHaveLength(1);
          for (const result of results) {
            if (result.status === 'rejected') {
              expect(result.reason).toBeInstanceOf(WrongExpectedVersionError);
              expect(result.reason).toMatchObject({ streamId, expected: 'no_stream', actual: 1n });
            }
          }
          expect(await readEverything(store, streamId)).toEqual(batches[winners[0]!]!.map((e) => e.id));
        } finally {
          await cleanup();
        }
      });
    });

    describe('when the same batch is appended several times at once', () => {
      it.each(['any', 'no_stream'] as const)(
        'stores one copy and answers every caller alike (expected %s)',
        async (expectedRevision) => {
          const { store, cleanup } = await make();
          try {
            const streamId = `twice-${randomUUID()}`;
            const batch = [event(0), event(0), event(0)];
            const results = await Promise.all(
              Array.from({ length: 6 }, () => store.appendToStream(streamId, batch, { expectedRevision })),
            );
            for (const result of results) expect(result).toEqual(results[0]);
            expect(await readEverything(store, streamId)).toEqual(batch.map((e) => e.id));
            const again = await store.appendToStream(streamId, batch, { expectedRevision });
            expect(again).toEqual(results[0]);
            expect(await readAllSettled(store, { streamPrefix: streamId }, 3)).toHaveLength(3);
            expect(await readEverything(store, streamId)).toHaveLength(3);
          } finally {
            await cleanup();
          }
        },
      );
    });
  });
}
