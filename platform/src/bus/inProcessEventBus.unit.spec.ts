import { setTimeout as sleep } from 'node:timers/promises';
import type { Envelope } from '@primetrade/domain';
import { describe, expect, it } from 'vitest';
import { createInProcessEventBus } from './inProcessEventBus.js';

const envelope = (revision: number): Envelope => ({
  type: 'BoardRenamed',
  data: { name: `name ${revision}` },
  id: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
  boardId: 'b1',
  revision,
  position: String(revision),
  occurredAt: '2026-01-01T00:00:00.000Z',
  actorId: 'u1',
  correlationId: 'c1',
  causationId: null,
  schemaVersion: 1,
});

describe('In-process event bus', () => {
  describe('when two groups are subscribed', () => {
    it('resolves publish only after every group has handled the batch', async () => {
      const bus = createInProcessEventBus();
      const done: string[] = [];
      await bus.subscribe('projector', async () => {
        await sleep(30);
        done.push('projector');
      });
      await bus.subscribe('realtime', async () => {
        done.push('realtime');
      });
      await bus.publish([envelope(0)]);
      expect(done.sort()).toEqual(['projector', 'realtime']);
    });
  });

  describe('when publishes overlap', () => {
    it('hands each group the batches in publish order, one at a time', async () => {
      const bus = createInProcessEventBus();
      const seen: number[] = [];
      let inFlight = 0;
      await bus.subscribe('g', async (events) => {
        inFlight += 1;
        expect(inFlight).toBe(1);
        await sleep(events[0]!.revision === 0 ? 20 : 1);
        seen.push(...events.map((e) => e.revision));
        inFlight -= 1;
      });
      await Promise.all([bus.publish([envelope(0), envelope(1)]), bus.publish([envelope(2)])]);
      expect(seen).toEqual([0, 1, 2]);
    });
  });

  describe('when a handler fails', () => {
    it('rejects publish, and a retry of the same batch is delivered again', async () => {
      const bus = createInProcessEventBus();
      let fail = true;
      const seen: number[] = [];
      await bus.subscribe('g', async (events) => {
        if (fail) throw new Error('down');
        seen.push(...events.map((e) => e.revision));
      });
      await expect(bus.publish([envelope(0)])).rejects.toThrow('down');
      fail = false;
      await bus.publish([envelope(0)]);
      expect(seen).toEqual([0]);
    });
  });

  describe('when a group subscribes twice', () => {
    it('replaces the first handler, whose stop then changes nothing', async () => {
      const bus = createInProcessEventBus();
      const seen: string[] = [];
      const first = await bus.subscribe('g', async () => {
        seen.push('first');
      });
      await bus.subscribe('g', async () => {
        seen.push('second');
      });
      await first.stop();
      await bus.publish([envelope(0)]);
      expect(seen).toEqual(['second']);
    });
  });

  describe('when a subscription stops or the bus closes', () => {
    it('delivers nothing to a stopped group and refuses publish after close', async () => {
      const bus = createInProcessEventBus();
      const seen: number[] = [];
      const subscription = await bus.subscribe('g', async (events) => {
        seen.push(...events.map((e) => e.revision));
      });
      await subscription.stop();
      await bus.publish([envelope(0)]);
      await bus.close();
      await expect(bus.publish([envelope(1)])).rejects.toThrow('closed');
      expect(seen).toEqual([]);
    });
  });
});
