import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PresenceUser } from '@primetrade/domain';
import type { PresenceStore } from './presence.js';

const user = (name: string, overrides: Partial<PresenceUser> = {}): PresenceUser => ({
  userId: randomUUID(),
  name,
  taskId: null,
  editing: false,
  ...overrides,
});

/** The behaviour every `PresenceStore` (in-memory, Redis) must have; call from a spec file. */
export function describePresenceStoreContract(
  name: string,
  create: () => PresenceStore | Promise<PresenceStore>,
): void {
  describe(`PresenceStore contract: ${name}`, () => {
    let store: PresenceStore;
    const board = randomUUID();
    beforeEach(async () => {
      store = await create();
    });

    it('lists nobody on a board nobody joined', async () => {
      expect(await store.list(randomUUID())).toEqual([]);
    });

    it('lists one entry per user, from the most recently put socket', async () => {
      const ada = user('Ada');
      const editing = { ...ada, taskId: randomUUID(), editing: true };
      await store.put(board, 's1', ada);
      await store.put(board, 's2', editing);
      expect(await store.list(board)).toEqual([editing]);
      await store.put(board, 's1', ada);
      expect(await store.list(board)).toEqual([ada]);
    });

    it('falls back to the user’s other socket when one is removed', async () => {
      const ada = user('Ada');
      const editing = { ...ada, editing: true };
      await store.put(board, 's1', ada);
      await store.put(board, 's2', editing);
      await store.remove(board, 's2');
      expect(await store.list(board)).toEqual([ada]);
    });

    it('removes every socket of a user, and only on that board', async () => {
      const ada = user('Ada');
      const bob = user('Bob');
      const otherBoard = randomUUID();
      await store.put(board, 's1', ada);
      await store.put(board, 's2', ada);
      await store.put(board, 's3', bob);
      await store.put(otherBoard, 's1', ada);
      await store.removeUser(board, ada.userId);
      expect(await store.list(board)).toEqual([bob]);
      expect(await store.list(otherBoard)).toEqual([ada]);
    });

    it('ignores removals of unknown sockets and boards', async () => {
      await store.remove(randomUUID(), 'nobody');
      await store.removeUser(randomUUID(), randomUUID());
      expect(await store.list(board)).toEqual([]);
    });
  });
}
