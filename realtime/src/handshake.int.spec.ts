import { createTokenService } from '@primetrade/platform';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectWith, newUser, secret, startRealtime, type Harness } from './realtime.testkit.js';

const base64url = (value: string): string => Buffer.from(value).toString('base64url');
const decodePart = (part: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;

describe('Realtime handshake', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startRealtime();
  });
  afterEach(() => harness.close());

  describe('when the client sends no token', () => {
    it('refuses the connection as unauthorized', async () => {
      const error = await harness.refused({});
      expect(error.message).toBe('unauthorized');
      expect(error.data).toEqual({ code: 'AUTH.UNAUTHENTICATED' });
    });
  });

  describe('when the account behind a valid token is disabled', () => {
    it('refuses the connection, and admits active accounts', async () => {
      const disabled = newUser('disabled');
      const active = newUser('active');
      const gated = await startRealtime({ isActive: async (userId) => userId !== disabled.id });
      try {
        const { token } = await gated.tokens.signAccess({ id: disabled.id, name: disabled.name, role: 'user' });
        const error = await gated.refused({ token });
        expect(error.data).toEqual({ code: 'AUTH.ACCOUNT_DISABLED' });
        const client = await gated.connect(active);
        expect(client.connected).toBe(true);
      } finally {
        await gated.close();
      }
    });
  });

  describe('when the token is not a string', () => {
    it('refuses the connection as unauthorized', async () => {
      const error = await harness.refused({ token: { sub: 'admin' } });
      expect(error.data).toEqual({ code: 'AUTH.UNAUTHENTICATED' });
    });
  });

  describe('when the token was tampered with', () => {
    it('refuses a token whose claims were rewritten', async () => {
      const victim = newUser('victim');
      const { token } = await harness.tokens.signAccess({ id: newUser('mallory').id, name: 'mallory', role: 'user' });
      const [header = '', payload = '', signature = ''] = token.split('.');
      const forged = `${header}.${base64url(JSON.stringify({ ...decodePart(payload), sub: victim.id }))}.${signature}`;
      const error = await harness.refused({ token: forged });
      expect(error.message).toBe('unauthorized');
      expect(error.data).toEqual({ code: 'AUTH.UNAUTHENTICATED' });
    });

    it('refuses a token signed with another secret', async () => {
      const other = createTokenService({ secret: 'another-secret-0123456789abcdefgh', accessTtlSeconds: 900 });
      const { token } = await other.signAccess({ id: newUser('x').id, name: 'x', role: 'admin' });
      const error = await harness.refused({ token });
      expect(error.data).toEqual({ code: 'AUTH.UNAUTHENTICATED' });
    });
  });

  describe('when the token has expired', () => {
    it('refuses the connection with AUTH.TOKEN_EXPIRED', async () => {
      const anHourAgo = createTokenService({
        secret,
        accessTtlSeconds: 60,
        now: () => new Date(Date.now() - 3_600_000),
      });
      const { token } = await anHourAgo.signAccess({ id: newUser('late').id, name: 'late', role: 'user' });
      const error = await harness.refused({ token });
      expect(error.message).toBe('unauthorized');
      expect(error.data).toEqual({ code: 'AUTH.TOKEN_EXPIRED' });
    });
  });

  describe('when the token is valid', () => {
    it('connects and puts the socket in its user room', async () => {
      const user = newUser('ada');
      const client = await harness.connect(user);
      const [socket] = await harness.server.io.in(`user:${user.id}`).fetchSockets();
      expect(socket?.id).toBe(client.id);
      expect(socket?.data).toMatchObject({ userId: user.id, name: 'ada' });
    });
  });
});

describe('Realtime token expiry', () => {
  let harness: Harness;
  beforeEach(async () => {
    // Expiry has one-second granularity: 2 s leaves at least a full second to connect first.
    harness = await startRealtime({ accessTtlSeconds: 2 });
  });
  afterEach(() => harness.close());

  describe('when a connected socket outlives its access token', () => {
    it('drops the socket, and the same token can no longer connect', async () => {
      const user = newUser('brief');
      const { token, expiresAt } = await harness.tokens.signAccess({ id: user.id, name: user.name, role: 'user' });
      const client = await connectWith(harness.open({ token }));
      const reason = await new Promise<string>((resolve) => client.once('disconnect', resolve));
      expect(reason).toBe('io server disconnect');
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());
      expect(harness.server.io.sockets.sockets.size).toBe(0);

      const error = await harness.refused({ token });
      expect(error.data).toEqual({ code: 'AUTH.TOKEN_EXPIRED' });
    });
  });
});
