import { randomUUID } from 'node:crypto';
import { createInProcessEventBus } from '@primetrade/platform';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFanoutConsumer } from './fanout.js';
import {
  envelope,
  join,
  newUser,
  record,
  startRealtime,
  type Client,
  type Harness,
  type TestUser,
} from './realtime.testkit.js';

describe('Board event fan-out', () => {
  let harness: Harness;
  const boardA = randomUUID();
  const boardB = randomUUID();
  let ada: TestUser;
  let bob: TestUser;
  let adaClient: Client;
  let bobClient: Client;

  beforeEach(async () => {
    harness = await startRealtime();
    ada = newUser('Ada');
    bob = newUser('Bob');
    for (const user of [ada, bob]) harness.membership.grant(boardA, user.id);
    harness.membership.grant(boardB, bob.id);
    adaClient = await harness.connect(ada);
    bobClient = await harness.connect(bob);
  });
  afterEach(() => harness.close());

  describe('when a batch mixes boards and arrives out of order', () => {
    it('delivers each board its own events, in ascending revision, once per revision', async () => {
      const ada$ = record(adaClient);
      const bob$ = record(bobClient);
      await join(adaClient, { boardId: boardA });
      await join(bobClient, { boardId: boardA });
      await join(bobClient, { boardId: boardB });

      const duplicate = envelope(boardA, 1);
      await harness.server.publish([
        envelope(boardA, 2),
        envelope(boardB, 7),
        duplicate,
        envelope(boardA, 0),
        duplicate,
        envelope(boardB, 6),
      ]);
      await harness.server.publish([envelope(boardA, 3)]);

      await vi.waitFor(() => expect(ada$.batches).toHaveLength(2));
      expect(ada$.batches).toEqual([
        { boardId: boardA, revisions: [0, 1, 2] },
        { boardId: boardA, revisions: [3] },
      ]);
      await vi.waitFor(() => expect(bob$.batches).toHaveLength(3));
      expect(bob$.batches).toContainEqual({ boardId: boardB, revisions: [6, 7] });
      expect(bob$.batches.filter((batch) => batch.boardId === boardA).map((batch) => batch.revisions)).toEqual([
        [0, 1, 2],
        [3],
      ]);
    });

    it('sends nothing to a member who has not joined the board', async () => {
      const bob$ = record(bobClient);
      await join(adaClient, { boardId: boardA });
      await join(bobClient, { boardId: boardB });
      await harness.server.publish([envelope(boardA, 0)]);
      await harness.server.publish([envelope(boardB, 0)]);
      // Emits to one socket arrive in order: once boardB's batch is here, boardA's would be too.
      await vi.waitFor(() => expect(bob$.batches).toEqual([{ boardId: boardB, revisions: [0] }]));
    });
  });

  describe('when a member is removed from the board', () => {
    it('delivers the removal to them, then nothing more, and drops them from presence', async () => {
      const ada$ = record(adaClient);
      const bob$ = record(bobClient);
      await join(adaClient, { boardId: boardA });
      await join(bobClient, { boardId: boardA });
      await join(bobClient, { boardId: boardB });
      await vi.waitFor(() => expect(ada$.lastPresence()).toHaveLength(2));

      harness.membership.revoke(boardA, bob.id);
      await harness.server.publish([envelope(boardA, 5, { type: 'MemberRemoved', data: { userId: bob.id } })]);
      await harness.server.publish([envelope(boardA, 6)]);
      await harness.server.publish([envelope(boardB, 0)]);

      await vi.waitFor(() => expect(ada$.batches.map((batch) => batch.revisions)).toEqual([[5], [6]]));
      await vi.waitFor(() => expect(bob$.batches.at(-1)).toEqual({ boardId: boardB, revisions: [0] }));
      expect(bob$.batches).toEqual([
        { boardId: boardA, revisions: [5] },
        { boardId: boardB, revisions: [0] },
      ]);
      await vi.waitFor(() => expect(ada$.lastPresence()?.map((user) => user.userId)).toEqual([ada.id]));
      expect(await join(bobClient, { boardId: boardA })).toMatchObject({ ok: false, code: 'BOARD.NOT_FOUND' });
    });
  });

  describe('when the removal reaches realtime before the read model shows it', () => {
    it('refuses the removed member’s rejoin until the read model catches up, and readmits them when added again', async () => {
      await join(bobClient, { boardId: boardA });
      harness.membership.setRevision(boardA, 4);
      await harness.server.publish([envelope(boardA, 5, { type: 'MemberRemoved', data: { userId: bob.id } })]);
      // The read model still says "member at revision 4".
      expect(await join(bobClient, { boardId: boardA })).toMatchObject({ ok: false, code: 'BOARD.NOT_FOUND' });
      const bob$ = record(bobClient);
      await harness.server.publish([envelope(boardA, 6)]);
      await join(adaClient, { boardId: boardA });
      await harness.server.publish([envelope(boardA, 7)]);
      await vi.waitFor(async () => expect(await join(adaClient, { boardId: boardA })).toMatchObject({ ok: true }));
      expect(bob$.batches).toEqual([]);

      await harness.server.publish([
        envelope(boardA, 8, { type: 'MemberAdded', data: { userId: bob.id, role: 'editor' } }),
      ]);
      expect(await join(bobClient, { boardId: boardA })).toMatchObject({ ok: true });
    });
  });

  describe('when events come through the bus', () => {
    it('pushes what the realtime consumer group receives', async () => {
      const bus = createInProcessEventBus();
      const subscription = await createFanoutConsumer(bus, harness.server);
      const ada$ = record(adaClient);
      await join(adaClient, { boardId: boardA });
      await bus.publish([envelope(boardA, 1), envelope(boardA, 0)]);
      await vi.waitFor(() => expect(ada$.batches).toEqual([{ boardId: boardA, revisions: [0, 1] }]));
      await subscription.stop();
      await bus.close();
    });
  });
});
