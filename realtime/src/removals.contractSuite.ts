import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Removals } from './removals.js';

/**
 * The behaviour every `Removals` (in-memory, Redis) must have; call from a spec file. `create` is
 * called twice per test: implementations that share state (Redis) must show one node's record to
 * the other; the in-memory one is one node, so it may return the same instance.
 */
export function describeRemovalsContract(
  name: string,
  create: () => Removals | Promise<Removals>,
  options: { shared: boolean },
): void {
  describe(`Removals contract: ${name}`, () => {
    let nodeA: Removals;
    let nodeB: Removals;
    const board = randomUUID();
    beforeEach(async () => {
      nodeA = await create();
      nodeB = options.shared ? await create() : nodeA;
    });

    it('knows of no removal it was not told about', async () => {
      expect(await nodeA.pending(board, randomUUID())).toBeNull();
    });

    it('remembers the revision of a removal, per board and user', async () => {
      const ada = randomUUID();
      const otherBoard = randomUUID();
      await nodeA.record(board, ada, 5);
      expect(await nodeB.pending(board, ada)).toBe(5);
      expect(await nodeB.pending(otherBoard, ada)).toBeNull();
      expect(await nodeB.pending(board, randomUUID())).toBeNull();
    });

    it('keeps the latest removal of a user removed again', async () => {
      const ada = randomUUID();
      await nodeA.record(board, ada, 5);
      await nodeB.record(board, ada, 9);
      expect(await nodeA.pending(board, ada)).toBe(9);
    });

    it('forgets a removal when the member is added back', async () => {
      const ada = randomUUID();
      await nodeA.record(board, ada, 5);
      await nodeB.readmit(board, ada);
      expect(await nodeA.pending(board, ada)).toBeNull();
      await nodeA.readmit(board, randomUUID());
    });
  });
}
