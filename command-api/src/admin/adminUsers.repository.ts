import { DomainError, type Page, type UserDto } from '@primetrade/domain';
import type { Sql } from '@primetrade/platform';
import { accountsLockKey, toUserDto, userColumns, type UserRow } from '../auth/users.repository.js';

/** Cursor = the last email of the page (emails are unique case-insensitively), opaque to clients. */
const encodeCursor = (email: string): string => Buffer.from(email, 'utf8').toString('base64url');

/**
 * A tampered cursor is a 400, never a SQL error: it must be the exact encoding of a UTF-8 text
 * (bytes that are not UTF-8 do not round-trip) without NUL, which PostgreSQL refuses in text.
 */
function decodeCursor(cursor: string): string {
  const email = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(email) !== cursor || email.includes('\u0000')) {
    throw new DomainError('VALIDATION.FAILED', 'The cursor is not valid', [
      { field: 'query.cursor', message: 'Pass back a nextCursor from a previous page, unchanged' },
    ]);
  }
  return email;
}

/** `q` is matched literally: LIKE wildcards in it are escaped. */
const likePattern = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listUsers(
  sql: Sql,
  options: { cursor?: string; limit: number; q?: string },
): Promise<Page<UserDto>> {
  const after = options.cursor === undefined ? null : decodeCursor(options.cursor);
  const pattern = options.q ? likePattern(options.q) : null;
  const rows = await sql.query<UserRow>(
    `SELECT ${userColumns} FROM users
     WHERE ($1::text IS NULL OR lower(email) > $1)
       AND ($2::text IS NULL OR email ILIKE $2 OR name ILIKE $2)
     ORDER BY lower(email) LIMIT $3`,
    [after, pattern, options.limit + 1],
  );
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    items: page.map(toUserDto),
    nextCursor: rows.length > options.limit && last ? encodeCursor(last.email.toLowerCase()) : null,
  };
}

export interface UserChange {
  readonly role?: 'admin' | 'user' | undefined;
  readonly disabled?: boolean | undefined;
}

const isActiveAdmin = (user: { role: string; disabled: boolean }): boolean => user.role === 'admin' && !user.disabled;

/**
 * Applies a role / disabled change. Refuses to leave the system without an active admin; the
 * check runs under the accounts lock so two admins demoting each other at once cannot both pass.
 */
export async function updateUser(sql: Sql, id: string, change: UserChange, now: Date): Promise<UserRow> {
  return sql.tx(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [accountsLockKey]);
    const current = (await tx.query<UserRow>(`SELECT ${userColumns} FROM users WHERE id = $1`, [id]))[0];
    if (!current) throw new DomainError('USER.NOT_FOUND', 'No such user');
    const next = { role: change.role ?? current.role, disabled: change.disabled ?? current.disabled };
    if (isActiveAdmin(current) && !isActiveAdmin(next)) {
      const others = await tx.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1",
        [id],
      );
      if ((others[0]?.n ?? 0) === 0) {
        throw new DomainError('USER.LAST_ADMIN', 'This is the last active admin: make another admin first');
      }
    }
    const rows = await tx.query<UserRow>(
      `UPDATE users SET role = $2, disabled = $3, updated_at = $4 WHERE id = $1 RETURNING ${userColumns}`,
      [id, next.role, next.disabled, now],
    );
    return rows[0] ?? current;
  });
}
