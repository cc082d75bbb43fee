import { DomainError, type UserDto } from '@primetrade/domain';
import type { Sql, SqlQueryable } from '@primetrade/platform';

export interface UserRow {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly password_hash: string;
  readonly role: 'admin' | 'user';
  readonly disabled: boolean;
  readonly created_at: Date;
}

export const userColumns = 'id, email, name, password_hash, role, disabled, created_at';

export const toUserDto = (row: UserRow): UserDto => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  disabled: row.disabled,
  createdAt: row.created_at.toISOString(),
});

/** Serialises "is this the first account?" and "is this the last admin?" decisions; any constant works. */
export const accountsLockKey = 7_342_101;

const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '23505';

export async function findUserByEmail(sql: SqlQueryable, email: string): Promise<UserRow | null> {
  const rows = await sql.query<UserRow>(`SELECT ${userColumns} FROM users WHERE lower(email) = lower($1)`, [email]);
  return rows[0] ?? null;
}

export async function findUserById(sql: SqlQueryable, id: string): Promise<UserRow | null> {
  const rows = await sql.query<UserRow>(`SELECT ${userColumns} FROM users WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export interface NewUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly passwordHash: string;
  readonly now: Date;
}

/**
 * Inserts the account; the first one on an empty system becomes `admin`. The emptiness check and
 * the insert run under one advisory lock, so two concurrent first registrations cannot both win.
 */
export async function createUser(sql: Sql, user: NewUser): Promise<UserRow> {
  try {
    return await sql.tx(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [accountsLockKey]);
      const rows = await tx.query<UserRow>(
        `INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at)
         SELECT $1, $2, $3, $4, CASE WHEN EXISTS (SELECT 1 FROM users) THEN 'user' ELSE 'admin' END, $5, $5
         RETURNING ${userColumns}`,
        [user.id, user.email, user.name, user.passwordHash, user.now],
      );
      const row = rows[0];
      if (!row) throw new Error('INSERT INTO users returned no row');
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new DomainError('AUTH.EMAIL_TAKEN', 'An account with this email already exists');
    throw error;
  }
}
