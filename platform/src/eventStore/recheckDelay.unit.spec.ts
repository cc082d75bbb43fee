import { describe, expect, it } from 'vitest';
import { recheckDelayMs } from './sqlEventStore.subscribe.js';

describe('pause before looking again after a wake whose read found nothing', () => {
  const options = { pollIntervalMs: 250, recheckAfterEmptyWakeMs: 1, maxRecheckAfterWakeMs: 4, recheckSteadyReads: 16 };
  const pauses = (count: number, with_ = options) =>
    Array.from({ length: count }, (_, reads) => recheckDelayMs(reads, with_));

  it('follows a short hold of xmin in steps of at most 4 ms, not in doubling steps', () => {
    expect(pauses(6)).toEqual([1, 2, 4, 4, 4, 4]);
    // 16 rechecks cover ~55 ms of a hold; a transaction left open longer costs fewer and fewer reads.
    expect(pauses(16).reduce((sum, pause) => sum + pause, 0)).toBe(59);
    expect(pauses(22).slice(15)).toEqual([4, 8, 16, 32, 64, 128, 250]);
  });

  it('never waits longer than the poll interval, and doubles from the start without a cap', () => {
    expect(pauses(40).every((pause) => pause <= 250)).toBe(true);
    expect(pauses(10, { ...options, maxRecheckAfterWakeMs: Infinity })).toEqual([
      1, 2, 4, 8, 16, 32, 64, 128, 250, 250,
    ]);
  });
});
