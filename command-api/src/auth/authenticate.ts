import { LRUCache } from 'lru-cache';
import { DomainError } from '@primetrade/domain';
import type { Sql, TokenService } from '@primetrade/platform';
import type { Middleware } from 'koa';
import type { AppState, AuthUser } from '../http/state.js';

interface AccountRow {
  readonly id: string;
  readonly name: string;
  readonly role: 'admin' | 'user';
  readonly disabled: boolean;
}

export interface AccountStatus {
  /** The account as it is now (cached briefly), or null when it no longer exists. */
  get(userId: string): Promise<AccountRow | null>;
  /** Drops a cached entry after a change on this node (role, disabled). Other nodes see it within the TTL. */
  forget(userId: string): void;
}

/**
 * A short-lived cache of account state, so a disabled or demoted account loses access within `ttlMs`
 * without one extra query per request. While the accounts database cannot answer (cluster mode,
 * read side down), an entry up to `staleMs` old is still trusted, so store-only commands keep
 * working through the outage; an account never seen in that window gets the database's 503.
 */
export function createAccountStatus(
  sql: Sql,
  clock: () => Date,
  ttlMs = 5_000,
  maxEntries = 10_000,
  staleMs = 10 * 60_000,
): AccountStatus {
  const cache = new LRUCache<string, { readonly until: number; readonly row: AccountRow | null }>({ max: maxEntries });
  return {
    async get(userId) {
      const now = clock().getTime();
      const hit = cache.get(userId);
      if (hit && hit.until > now) return hit.row;
      let rows: AccountRow[];
      try {
        rows = await sql.query<AccountRow>('SELECT id, name, role, disabled FROM users WHERE id = $1', [userId]);
      } catch (error) {
        if (hit && hit.row && hit.until - ttlMs + staleMs > now) return hit.row;
        throw error;
      }
      const row = rows[0] ?? null;
      cache.set(userId, { until: now + ttlMs, row });
      return row;
    },
    forget(userId) {
      cache.delete(userId);
    },
  };
}

const invalidToken = 'Bearer error="invalid_token"';

function unauthenticated(
  ctx: { set(name: string, value: string): void },
  challenge: string,
  error: DomainError,
): never {
  ctx.set('WWW-Authenticate', challenge);
  throw error;
}

/**
 * Bearer access tokens, verified by `tokens.verifyAccess` (jose, HS256). koa-jwt was not used: it
 * needs the raw secret and a second JWT library, and could disagree with the realtime handshake,
 * which verifies through the same TokenService. Role and name come from the account, not the token,
 * so a demotion takes effect within the account cache TTL.
 */
export function authenticate(tokens: TokenService, accounts: AccountStatus): Middleware<AppState> {
  return async (ctx, next) => {
    const match = /^Bearer ([^\s]+)$/i.exec(ctx.get('Authorization'));
    if (!match?.[1]) {
      unauthenticated(
        ctx,
        'Bearer',
        new DomainError('AUTH.UNAUTHENTICATED', 'Send an access token: Authorization: Bearer <token>'),
      );
    }
    const verified = await tokens.verifyAccess(match[1]);
    if (!verified.ok) {
      const error =
        verified.reason === 'expired'
          ? new DomainError('AUTH.TOKEN_EXPIRED', 'The access token has expired; refresh it')
          : new DomainError('AUTH.UNAUTHENTICATED', 'The access token is invalid');
      unauthenticated(ctx, invalidToken, error);
    }
    const account = await accounts.get(verified.claims.userId);
    if (!account)
      unauthenticated(ctx, invalidToken, new DomainError('AUTH.UNAUTHENTICATED', 'The account no longer exists'));
    if (account.disabled) throw new DomainError('AUTH.ACCOUNT_DISABLED', 'This account is disabled');
    const user: AuthUser = { id: account.id, name: account.name, role: account.role };
    ctx.state.user = user;
    await next();
  };
}
