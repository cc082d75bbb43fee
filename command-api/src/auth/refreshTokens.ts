import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '@primetrade/domain';
import type { Sql } from '@primetrade/platform';

export interface RefreshTokenDeps {
  readonly sql: Sql;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly ttlSeconds: number;
}

interface TokenRow {
  readonly id: string;
  readonly user_id: string;
  readonly family_id: string;
  readonly expires_at: Date;
  readonly revoked_at: Date | null;
  readonly replaced_by: string | null;
}

/** Only the SHA-256 of a token is stored: a leaked table grants nothing. */
const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');

const refreshInvalid = (message: string) => new DomainError('AUTH.REFRESH_INVALID', message);

/** How long a token just rotated still yields a successor: two tabs refreshing at once stay signed in. */
export const reuseGraceMs = 20_000;

class LostRace extends Error {}

/**
 * Opaque rotating refresh tokens grouped in families (one per login). Each use replaces the token;
 * presenting a replaced token again means it was copied, so the whole family is revoked.
 */
export function createRefreshTokens(deps: RefreshTokenDeps) {
  const expiry = (now: Date) => new Date(now.getTime() + deps.ttlSeconds * 1000);

  async function insert(
    userId: string,
    familyId: string,
    now: Date,
    q: Pick<Sql, 'query'>,
  ): Promise<{ id: string; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const id = deps.newId();
    await q.query(
      'INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, userId, familyId, digest(token), expiry(now), now],
    );
    return { id, token };
  }

  async function revokeFamily(familyId: string, now: Date): Promise<void> {
    await deps.sql.query('UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL', [
      familyId,
      now,
    ]);
  }

  /** The successor, or null when another rotation (or a logout) spent the token first. */
  async function spend(row: TokenRow, now: Date): Promise<string | null> {
    return deps.sql
      .tx(async (tx) => {
        const successor = await insert(row.user_id, row.family_id, now, tx);
        // The compare-and-set on revoked_at lets exactly one of two concurrent rotations spend it.
        const spent = await tx.query(
          'UPDATE refresh_tokens SET revoked_at = $2, replaced_by = $3 WHERE id = $1 AND revoked_at IS NULL RETURNING id',
          [row.id, now, successor.id],
        );
        if (spent.length === 0) throw new LostRace();
        return successor.token;
      })
      .catch((error: unknown) => {
        if (error instanceof LostRace) return null;
        throw error;
      });
  }

  /** Rotated within the grace period, and the family is still alive (no logout, no reuse revocation). */
  async function spentByConcurrentRotation(row: TokenRow, now: Date): Promise<boolean> {
    if (row.replaced_by === null || row.revoked_at === null) return false;
    if (now.getTime() - row.revoked_at.getTime() > reuseGraceMs) return false;
    const alive = await deps.sql.query(
      'SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL LIMIT 1',
      [row.family_id],
    );
    return alive.length > 0;
  }

  async function find(token: string): Promise<TokenRow | null> {
    const rows = await deps.sql.query<TokenRow>(
      'SELECT id, user_id, family_id, expires_at, revoked_at, replaced_by FROM refresh_tokens WHERE token_hash = $1',
      [digest(token)],
    );
    return rows[0] ?? null;
  }

  return {
    /** A new family for a fresh login or registration. */
    async issue(userId: string): Promise<string> {
      return (await insert(userId, deps.newId(), deps.clock(), deps.sql)).token;
    },

    /**
     * Spends `token` and returns its successor with the user it belongs to. A token spent a moment
     * ago by a concurrent rotation (two tabs, a retry after a lost answer) gets a successor of its
     * own within `reuseGraceMs`; later, presenting it again is a stolen copy and ends the family.
     */
    async rotate(token: string): Promise<{ userId: string; token: string }> {
      const now = deps.clock();
      const row = await find(token);
      if (!row) throw refreshInvalid('Unknown refresh token');
      if (row.expires_at.getTime() <= now.getTime())
        throw refreshInvalid('The refresh token has expired; log in again');
      const next = row.revoked_at === null ? await spend(row, now) : null;
      if (next !== null) return { userId: row.user_id, token: next };
      const spent = await find(token);
      if (spent !== null && (await spentByConcurrentRotation(spent, now))) {
        return { userId: row.user_id, token: (await insert(row.user_id, row.family_id, now, deps.sql)).token };
      }
      if (spent?.replaced_by != null) {
        await revokeFamily(row.family_id, now);
        throw refreshInvalid('This refresh token was already used; the session has been revoked');
      }
      throw refreshInvalid('This session has ended');
    },

    /** Ends the session `token` belongs to; unknown tokens are ignored (logout is idempotent). */
    async revoke(token: string): Promise<void> {
      const row = await find(token);
      if (row) await revokeFamily(row.family_id, deps.clock());
    },

    /** Ends every session of a user (account disabled). */
    async revokeAllOf(userId: string): Promise<void> {
      await deps.sql.query('UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL', [
        userId,
        deps.clock(),
      ]);
    },
  };
}

export type RefreshTokens = ReturnType<typeof createRefreshTokens>;
