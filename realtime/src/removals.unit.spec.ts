import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeRemovalsContract } from './removals.contractSuite.js';
import { createRemovals } from './removals.js';

describeRemovalsContract('in memory', () => createRemovals(), { shared: false });

describe('In-memory removals', () => {
  describe('when full', () => {
    it('forgets the oldest removal first', async () => {
      const removals = createRemovals(2);
      const board = randomUUID();
      await removals.record(board, 'u1', 1);
      await removals.record(board, 'u2', 2);
      await removals.record(board, 'u3', 3);
      expect(await removals.pending(board, 'u1')).toBeNull();
      expect(await removals.pending(board, 'u2')).toBe(2);
      expect(await removals.pending(board, 'u3')).toBe(3);
    });
  });
});
