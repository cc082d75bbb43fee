import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '@primetrade/domain';
import type { EventBus } from './eventBus.port.js';

export interface EventBusUnderTest {
  /** A bus on its own, empty topic (Kafka) or a fresh instance (in-process). */
  readonly bus: EventBus;
  readonly cleanup: () => Promise<void>;
}

export type MakeEventBus = () => Promise<EventBusUnderTest>;

/** `count` events of one board from revision `from`, as the relay would publish them. */
export function boardEnvelopes(boardId: string, count: number, from = 0): Envelope[] {
  return Array.from({ length: count }, (_, n) => ({
    type: 'BoardRenamed',
    data: { name: `name ${from + n}` },
    id: randomUUID(),
    boardId,
    revision: from + n,
    position: String(from + n).padStart(20, '0'),
    occurredAt: '2026-01-01T00:00:00.000Z',
    actorId: 'user-1',
    correlationId: randomUUID(),
    causationId: null,
    schemaVersion: 1,
  }));
}

/** Publishes as the relay does: a rejected publish is tried again until the bus accepts it. */
async function publishUntilAccepted(bus: EventBus, events: readonly Envelope[]): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await bus.publish(events);
      return;
    } catch (error) {
      if (attempt >= 10) throw error;
    }
  }
}

/** The first delivery of each event, per board, as revisions. */
function firstRevisionsOf(events: readonly Envelope[], boardId: string): number[] {
  return [...new Set(events.filter((event) => event.boardId === boardId).map((event) => event.revision))];
}

const waitLong = { timeout: 45_000, interval: 20 };

/**
 * What every event bus adapter promises (eventBus.port.ts), run on each one: in-process (embedded
 * mode) and Kafka (cluster mode). Groups subscribe before the events are published, as every
 * consumer of the product does (the in-process bus does not keep messages for later groups).
 */
export function eventBusContract(adapter: string, make: MakeEventBus): void {
  describe(`event bus contract: ${adapter}`, () => {
    let subject: EventBusUnderTest;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(async () => {
      await subject.cleanup();
    });

    it('delivers every event to each group, in each board’s order', async () => {
      const boards = Array.from({ length: 4 }, () => randomUUID());
      const seen = new Map<string, Envelope[]>([
        ['one', []],
        ['two', []],
      ]);
      const subscriptions = await Promise.all(
        [...seen].map(([name, log]) =>
          subject.bus.subscribe(`${name}-${randomUUID()}`, async (events) => void log.push(...events)),
        ),
      );
      for (let round = 0; round < 3; round += 1)
        await subject.bus.publish(boards.flatMap((boardId) => boardEnvelopes(boardId, 2, round * 2)));
      for (const log of seen.values()) {
        await vi.waitFor(() => expect(log).toHaveLength(boards.length * 6), waitLong);
        for (const boardId of boards)
          expect(log.filter((event) => event.boardId === boardId).map((event) => event.revision)).toEqual([
            0, 1, 2, 3, 4, 5,
          ]);
      }
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    });

    it('hands the handler the envelopes as published', async () => {
      const boardId = randomUUID();
      const published = boardEnvelopes(boardId, 3);
      const seen: Envelope[] = [];
      const subscription = await subject.bus.subscribe(
        `exact-${randomUUID()}`,
        async (events) => void seen.push(...events),
      );
      await subject.bus.publish(published, { headers: { 'relay-epoch': '7' } });
      await vi.waitFor(() => expect(seen.filter((event) => event.boardId === boardId)).toHaveLength(3), waitLong);
      expect(seen.filter((event) => event.boardId === boardId).map((event) => ({ ...event }))).toEqual(
        published.map((event) => ({ ...event })),
      );
      await subscription.stop();
    });

    it('delivers a batch its handler rejected again (at least once), without reordering a board', async () => {
      const boardId = randomUUID();
      const seen: Envelope[] = [];
      let failures = 0;
      const subscription = await subject.bus.subscribe(`retry-${randomUUID()}`, async (events) => {
        if (failures < 2 && events.some((event) => event.boardId === boardId && event.revision === 2)) {
          failures += 1;
          throw new Error('transient');
        }
        seen.push(...events);
      });
      await publishUntilAccepted(subject.bus, boardEnvelopes(boardId, 2));
      await publishUntilAccepted(subject.bus, boardEnvelopes(boardId, 2, 2));
      await publishUntilAccepted(subject.bus, boardEnvelopes(boardId, 2, 4));
      await vi.waitFor(() => expect(firstRevisionsOf(seen, boardId)).toEqual([0, 1, 2, 3, 4, 5]), waitLong);
      expect(failures).toBe(2);
      await subscription.stop();
    });

    it('delivers nothing more to a group once its subscription stopped', async () => {
      const boardId = randomUUID();
      const seen: Envelope[] = [];
      const group = `stopped-${randomUUID()}`;
      const subscription = await subject.bus.subscribe(group, async (events) => void seen.push(...events));
      await subject.bus.publish(boardEnvelopes(boardId, 1));
      await vi.waitFor(() => expect(firstRevisionsOf(seen, boardId)).toEqual([0]), waitLong);
      await subscription.stop();
      const witness: Envelope[] = [];
      const other = await subject.bus.subscribe(
        `witness-${randomUUID()}`,
        async (events) => void witness.push(...events),
      );
      await subject.bus.publish(boardEnvelopes(boardId, 1, 1));
      await vi.waitFor(() => expect(firstRevisionsOf(witness, boardId)).toContain(1), waitLong);
      expect(firstRevisionsOf(seen, boardId)).toEqual([0]);
      await other.stop();
    });

    it('accepts an empty batch and a new producer term without losing what follows', async () => {
      const boardId = randomUUID();
      const seen: Envelope[] = [];
      const subscription = await subject.bus.subscribe(
        `term-${randomUUID()}`,
        async (events) => void seen.push(...events),
      );
      await subject.bus.publish([]);
      await subject.bus.resetProducer();
      await subject.bus.publish(boardEnvelopes(boardId, 2));
      await vi.waitFor(() => expect(firstRevisionsOf(seen, boardId)).toEqual([0, 1]), waitLong);
      await subscription.stop();
    });
  });
}
