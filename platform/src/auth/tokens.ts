import { LRUCache } from 'lru-cache';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';

/** What an access token says about its bearer; shared by command-api and realtime. */
export interface AccessClaims {
  readonly userId: string;
  readonly name: string;
  readonly role: 'admin' | 'user';
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

export type TokenVerification =
  { readonly ok: true; readonly claims: AccessClaims } | { readonly ok: false; readonly reason: 'expired' | 'invalid' };

export interface TokenService {
  signAccess(user: { id: string; name: string; role: 'admin' | 'user' }): Promise<{ token: string; expiresAt: Date }>;
  verifyAccess(token: string): Promise<TokenVerification>;
  readonly accessTtlSeconds: number;
}

const issuer = 'primetrade';
const audience = 'primetrade-api';

/** HS256 access tokens. Refresh tokens are opaque random strings kept hashed in PostgreSQL. */
export function createTokenService(options: {
  secret: string;
  accessTtlSeconds: number;
  now?: () => Date;
}): TokenService {
  // Imported once: handing jose the raw bytes would import the key again on every verify.
  const key = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(options.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const now = options.now ?? (() => new Date());
  // Every request of a client carries the same token: remember verified ones until they expire.
  const verified = new LRUCache<string, AccessClaims>({ max: 10_000 });
  const remember = (token: string, claims: AccessClaims) => {
    verified.set(token, claims);
  };
  return {
    accessTtlSeconds: options.accessTtlSeconds,
    async signAccess(user) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      const exp = issuedAt + options.accessTtlSeconds;
      const token = await new SignJWT({ name: user.name, role: user.role, typ: 'access' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(exp)
        .sign(await key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verifyAccess(token) {
      const known = verified.get(token);
      if (known) {
        if (known.exp * 1000 > now().getTime()) return { ok: true, claims: known };
        verified.delete(token);
        return { ok: false, reason: 'expired' };
      }
      try {
        const { payload } = await jwtVerify(token, await key, {
          issuer,
          audience,
          algorithms: ['HS256'],
          currentDate: now(),
        });
        const { sub, name, role, typ, exp } = payload;
        if (typeof sub !== 'string' || typeof name !== 'string' || typ !== 'access' || typeof exp !== 'number') {
          return { ok: false, reason: 'invalid' };
        }
        if (role !== 'admin' && role !== 'user') return { ok: false, reason: 'invalid' };
        const claims: AccessClaims = { userId: sub, name, role, exp };
        remember(token, claims);
        return { ok: true, claims };
      } catch (error) {
        return { ok: false, reason: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
      }
    },
  };
}
