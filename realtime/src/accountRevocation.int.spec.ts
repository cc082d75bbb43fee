import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  announceAccountRevoked,
  createTestDatabase,
  subscribeAccountRevocations,
  type TestDatabase,
} from '@primetrade/platform';
import { join, newUser, startRealtime, type Harness, type TestUser } from './realtime.testkit.js';

/**
 * A disabled or erased account loses realtime access at once, not when its access token expires:
 * the API node announces it (PostgreSQL NOTIFY), every realtime node drops the account's sockets,
 * and a socket still open may not join a board any more.
 */
describe('Realtime access of an account that is disabled or erased', () => {
  let database: TestDatabase;
  let harness: Harness;
  let stopListening: () => Promise<void>;
  const disabled = new Set<string>();
  const boardId = randomUUID();
  let ada: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase('realtime_revocation');
  });
  afterAll(async () => {
    await database?.drop();
  });
  beforeEach(async () => {
    disabled.clear();
    harness = await startRealtime({ isActive: async (userId) => !disabled.has(userId) });
    stopListening = await subscribeAccountRevocations(database.sql, (userId) => harness.server.dropAccount(userId));
    ada = newUser('Ada');
    bob = newUser('Bob');
    harness.membership.grant(boardId, ada.id);
    harness.membership.grant(boardId, bob.id);
  });
  afterEach(async () => {
    await stopListening();
    await harness.close();
  });

  describe('when the revocation is announced', () => {
    it('drops every socket of that account, and only those, and refuses its next handshake', async () => {
      const adaTabs = [await harness.connect(ada), await harness.connect(ada)];
      const bobClient = await harness.connect(bob);
      for (const client of [...adaTabs, bobClient]) expect((await join(client, { boardId })).ok).toBe(true);
      const reasons = adaTabs.map((client) => new Promise<string>((resolve) => client.once('disconnect', resolve)));

      disabled.add(ada.id);
      await announceAccountRevoked(database.sql, ada.id);

      expect(await Promise.all(reasons)).toEqual(['io server disconnect', 'io server disconnect']);
      expect(bobClient.connected).toBe(true);
      const { token } = await harness.tokens.signAccess({ id: ada.id, name: ada.name, role: 'user' });
      const refused = await harness.refused({ token });
      expect(refused.data?.code).toBe('AUTH.ACCOUNT_DISABLED');
    });
  });

  describe('when a socket opened before the account was disabled asks to join', () => {
    it('refuses it with AUTH.ACCOUNT_DISABLED', async () => {
      const client = await harness.connect(ada);
      disabled.add(ada.id);
      expect(await join(client, { boardId })).toMatchObject({ ok: false, code: 'AUTH.ACCOUNT_DISABLED' });
    });
  });
});
