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
  | { readonly ok: true; readonly claims: AccessClaims }
  | { readonly ok: false; readonly reason: 'expired' | 'invalid' };

export interface TokenService {
  signAccess(user: { id: string; name: string; role: 'admin' | 'user' }): Promise<{ token: string; expiresAt: Date }>;
  verifyAccess(token: string): Promise<TokenVerification>;
  readonly accessTtlSeconds: number;
}

const issuer = 'primetrade';
const audience = 'primetrade-api';

/** HS256 access tokens. Refresh tokens are opaque random strings kept hashed in PostgreSQL. */
export function createTokenService(options: { secret: string; accessTtlSeconds: number; now?: () => Date }): TokenService {
  const key = new TextEncoder().encode(options.secret);
  const now = options.now ?? (() => new Date());
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
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verifyAccess(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
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
        return { ok: true, claims: { userId: sub, name, role, exp } };
      } catch (error) {
        return { ok: false, reason: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
      }
    },
  };
}
