import { describe, expect, it } from 'vitest';
import { createTokenService } from './tokens.js';

const secret = 'a test secret that is long enough to sign with';
const user = { id: '6f1c1a52-8a9e-4a43-9d0b-1f4a6a2f0c11', name: 'Ada', role: 'user' as const };

describe('Access tokens', () => {
  it('verifies what it signed and says who it is for', async () => {
    const tokens = createTokenService({ secret, accessTtlSeconds: 60 });
    const { token } = await tokens.signAccess(user);
    const result = await tokens.verifyAccess(token);
    expect(result).toMatchObject({ ok: true, claims: { userId: user.id, name: 'Ada', role: 'user' } });
  });

  describe('when the token is not ours', () => {
    it('refuses a tampered payload and another secret', async () => {
      const tokens = createTokenService({ secret, accessTtlSeconds: 60 });
      const { token } = await tokens.signAccess(user);
      const [header, payload, signature] = token.split('.');
      const forged = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' }),
      ).toString('base64url');
      expect(await tokens.verifyAccess(`${header}.${forged}.${signature}`)).toEqual({ ok: false, reason: 'invalid' });
      const other = createTokenService({ secret: `${secret}!`, accessTtlSeconds: 60 });
      expect(await other.verifyAccess(token)).toEqual({ ok: false, reason: 'invalid' });
      expect(await tokens.verifyAccess('not.a.token')).toEqual({ ok: false, reason: 'invalid' });
    });
  });

  describe('when the token has expired', () => {
    it('refuses it as expired, even after it was verified (and remembered) while valid', async () => {
      let now = new Date('2026-01-01T00:00:00Z');
      const tokens = createTokenService({ secret, accessTtlSeconds: 60, now: () => now });
      const { token } = await tokens.signAccess(user);
      expect((await tokens.verifyAccess(token)).ok).toBe(true);
      now = new Date('2026-01-01T00:01:00Z');
      expect(await tokens.verifyAccess(token)).toEqual({ ok: false, reason: 'expired' });
      const fresh = createTokenService({ secret, accessTtlSeconds: 60, now: () => now });
      expect(await fresh.verifyAccess(token)).toEqual({ ok: false, reason: 'expired' });
    });
  });
});
