import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { join, newUser, record, startRealtime, type Client, type Harness, type TestUser } from './realtime.testkit.js';

const idle = (user: TestUser) => ({ userId: user.id, name: user.name, taskId: null, editing: false });

describe('Board presence', () => {
  let harness: Harness;
  const boardId = randomUUID();
  const taskId = randomUUID();
  let ada: TestUser;
  let bob: TestUser;
  let adaClient: Client;
  let adaSeen: ReturnType<typeof record>;

  beforeEach(async () => {
    harness = await startRealtime();
    ada = newUser('Ada');
    bob = newUser('Bob');
    harness.membership.grant(boardId, ada.id);
    harness.membership.grant(boardId, bob.id, 'viewer');
    adaClient = await harness.connect(ada);
    adaSeen = record(adaClient);
    await join(adaClient, { boardId });
  });
  afterEach(() => harness.close());

  describe('when a member joins', () => {
    it('shows the joiner to itself', async () => {
      await vi.waitFor(() => expect(adaSeen.lastPresence()).toEqual([idle(ada)]));
      expect(adaSeen.presence.every((message) => message.boardId === boardId)).toBe(true);
    });

    it('shows both users to both of them', async () => {
      const bobClient = await harness.connect(bob);
      const bobSeen = record(bobClient);
      await join(bobClient, { boardId });
      await vi.waitFor(() => expect(adaSeen.lastPresence()).toEqual([idle(ada), idle(bob)]));
      await vi.waitFor(() => expect(bobSeen.lastPresence()).toEqual([idle(ada), idle(bob)]));
    });
  });

  describe('when a member says what it is editing', () => {
    it('broadcasts it, with the name taken from the token', async () => {
      const bobClient = await harness.connect(bob);
      await join(bobClient, { boardId });
      bobClient.emit('presence:update', { boardId, taskId, editing: true });
      await vi.waitFor(() =>
        expect(adaSeen.lastPresence()).toEqual([idle(ada), { userId: bob.id, name: 'Bob', taskId, editing: true }]),
      );
      bobClient.emit('presence:update', { boardId, editing: false });
      await vi.waitFor(() =>
        expect(adaSeen.lastPresence()).toEqual([idle(ada), { userId: bob.id, name: 'Bob', taskId, editing: false }]),
      );
    });
  });

  describe('when one user has two sockets on the board', () => {
    it('lists the user once, with the latest update, until both are gone', async () => {
      const bobTab1 = await harness.connect(bob);
      const bobTab2 = await harness.connect(bob);
      await join(bobTab1, { boardId });
      await join(bobTab2, { boardId });
      bobTab1.emit('presence:update', { boardId, taskId, editing: true });
      await vi.waitFor(() =>
        expect(adaSeen.lastPresence()).toEqual([idle(ada), { userId: bob.id, name: 'Bob', taskId, editing: true }]),
      );

      bobTab1.disconnect();
      await vi.waitFor(() => expect(adaSeen.lastPresence()).toEqual([idle(ada), idle(bob)]));
      await bobTab2.timeout(5_000).emitWithAck('board:leave', { boardId });
      await vi.waitFor(() => expect(adaSeen.lastPresence()).toEqual([idle(ada)]));
    });
  });

  describe('when a socket that has not joined the board sends an update', () => {
    it('ignores it', async () => {
      const bobClient = await harness.connect(bob);
      bobClient.emit('presence:update', { boardId, taskId, editing: true });
      // Same socket, so the server handles the update before this join.
      await join(bobClient, { boardId });
      await vi.waitFor(() => expect(adaSeen.lastPresence()).toEqual([idle(ada), idle(bob)]));
      expect(adaSeen.presence.flatMap((message) => message.users).some((user) => user.editing)).toBe(false);
    });
  });

  describe('when a member disconnects', () => {
    it('removes it from the others’ list', async () => {
      const bobClient = await harness.connect(bob);
      await join(bobClient, { boardId });
      await vi.waitFor(() => expect(adaSeen.lastPresence()).toHaveLength(2));
      bobClient.disconnect();
      await vi.waitFor(() => expect(adaSeen.lastPresence()).toEqual([idle(ada)]));
    });
  });

  describe('when one viewer floods the room with updates', () => {
    it('costs the room a few broadcasts a second, and the room still ends with what the viewer shows last', async () => {
      const bobClient = await harness.connect(bob);
      await join(bobClient, { boardId });
      await vi.waitFor(() => expect(adaSeen.lastPresence()).toHaveLength(2));
      const before = adaSeen.presence.length;
      const started = Date.now();
      for (let n = 0; n < 2_000; n += 1)
        bobClient.emit('presence:update', { boardId, taskId: n % 2 === 0 ? taskId : null, editing: n % 2 === 0 });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const broadcasts = adaSeen.presence.length - before;
      const seconds = (Date.now() - started) / 1000;
      // At once, then at most one per 100 ms window (the updates themselves are throttled per socket too).
      expect(broadcasts).toBeGreaterThan(0);
      expect(broadcasts).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
      // A calm update after the flood is shown.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      bobClient.emit('presence:update', { boardId, taskId, editing: true });
      await vi.waitFor(() =>
        expect(adaSeen.lastPresence()).toEqual([idle(ada), { userId: bob.id, name: 'Bob', taskId, editing: true }]),
      );
    });

    it('does not re-broadcast an update that changes nothing', async () => {
      const bobClient = await harness.connect(bob);
      await join(bobClient, { boardId });
      await vi.waitFor(() => expect(adaSeen.lastPresence()).toHaveLength(2));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = adaSeen.presence.length;
      for (let n = 0; n < 5; n += 1) bobClient.emit('presence:update', { boardId, taskId: null, editing: false });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(adaSeen.presence.length).toBe(before);
    });
  });

  describe('when a socket already in the room joins again', () => {
    it('acks the join and broadcasts nothing, and the user keeps what its latest tab shows', async () => {
      const bobTab1 = await harness.connect(bob);
      const bobTab2 = await harness.connect(bob);
      await join(bobTab1, { boardId });
      await join(bobTab2, { boardId });
      bobTab2.emit('presence:update', { boardId, taskId, editing: true });
      await vi.waitFor(() =>
        expect(adaSeen.lastPresence()).toEqual([idle(ada), { userId: bob.id, name: 'Bob', taskId, editing: true }]),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = adaSeen.presence.length;
      for (let n = 0; n < 5; n += 1) expect(await join(bobTab1, { boardId })).toMatchObject({ ok: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(adaSeen.presence.slice(before)).toEqual([]);
    });
  });

  describe('when one account opens more sockets than a person has tabs', () => {
    it('refuses the handshake past 20 on a node, and takes a new one once one closes', async () => {
      const open = [];
      for (let n = 0; n < 19; n += 1) open.push(await harness.connect(bob));
      // Ada's socket from beforeEach belongs to another account: it does not count for Bob.
      const refused = await harness.connect(bob).then(
        async () =>
          harness.connect(bob).then(
            () => null,
            (error: unknown) => error as Error & { data?: { code?: string } },
          ),
        (error: unknown) => {
          throw error;
        },
      );
      expect(refused?.message).toBe('too_many_sockets');
      expect(refused?.data?.code).toBe('RATE_LIMITED');
      open[0]?.disconnect();
      await vi.waitFor(async () => expect((await harness.connect(bob)).connected).toBe(true));
    });
  });
});
