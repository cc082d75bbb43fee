import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.js';

describe('restart backoff', () => {
  it('doubles from 250 ms up to 10 s while the service keeps crashing', () => {
    const backoff = createBackoff();
    expect(Array.from({ length: 8 }, () => backoff.next(100))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('starts over after a run that lasted 30 s', () => {
    const backoff = createBackoff();
    backoff.next(0);
    backoff.next(0);
    expect(backoff.next(30_000)).toBe(250);
    expect(backoff.next(10)).toBe(500);
  });
});
