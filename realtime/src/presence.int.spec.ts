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
});
