import { DomainError } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';

/** Accounts are not events (docs/architecture.md): member lookups and display names come from `users`. */
export async function findUserId(
  sql: SqlQueryable,
  by: { email: string } | { userId: string },
): Promise<string | null> {
  return (await findAccount(sql, by))?.id ?? null;
}

/** The account by e-mail (any case) or id, with whether it is disabled; null when there is none. */
export async function findAccount(
  sql: SqlQueryable,
  by: { email: string } | { userId: string },
): Promise<{ id: string; disabled: boolean } | null> {
  const rows =
    'email' in by
      ? await sql.query<{ id: string; disabled: boolean }>(
          'SELECT id, disabled FROM users WHERE lower(email) = lower($1)',
          [by.email],
        )
      : await sql.query<{ id: string; disabled: boolean }>('SELECT id, disabled FROM users WHERE id = $1', [by.userId]);
  return rows[0] ?? null;
}

/**
 * Refuses (409 USER.ACCOUNT_INACTIVE) when any of `userIds` has a disabled or erased account:
 * such a person must not become a member of a board again (adding them, undoing their removal).
 */
export async function requireActiveAccounts(sql: SqlQueryable, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  const rows = await sql.query<{ id: string; disabled: boolean }>(
    'SELECT id, disabled FROM users WHERE id = ANY($1::uuid[])',
    [[...userIds]],
  );
  const found = new Map(rows.map((row) => [row.id, row.disabled]));
  const inactive = userIds.flatMap((userId): InactiveAccount[] => {
    if (!found.has(userId)) return [{ userId, state: 'was erased' }];
    return found.get(userId) === true ? [{ userId, state: 'is disabled' }] : [];
  });
  if (inactive.length > 0) throw inactiveAccountError(inactive);
}

interface InactiveAccount {
  readonly userId: string;
  readonly state: 'is disabled' | 'was erased';
}

/** 409 USER.ACCOUNT_INACTIVE naming each account and what became of it. */
export function inactiveAccountError(inactive: readonly InactiveAccount[]): DomainError {
  return new DomainError(
    'USER.ACCOUNT_INACTIVE',
    inactive
      .map(({ userId, state }) => `The account of user ${userId} ${state}: it cannot be a member of a board`)
      .join('; '),
    inactive.map(({ userId, state }) => ({ message: `${userId} ${state}` })),
  );
}

/** Display names by user id; an erased account simply has no entry. */
export async function userNames(sql: SqlQueryable, userIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await sql.query<{ id: string; name: string }>('SELECT id, name FROM users WHERE id = ANY($1::uuid[])', [
    [...userIds],
  ]);
  return new Map(rows.map((row) => [row.id, row.name]));
}
