import type { SqlQueryable } from '@primetrade/platform';

/** Accounts are not events (DESIGN §4): member lookups and display names come from `users`. */
export async function findUserId(sql: SqlQueryable, by: { email: string } | { userId: string }): Promise<string | null> {
  const rows = 'email' in by
    ? await sql.query<{ id: string }>('SELECT id FROM users WHERE lower(email) = lower($1)', [by.email])
    : await sql.query<{ id: string }>('SELECT id FROM users WHERE id = $1', [by.userId]);
  return rows[0]?.id ?? null;
}

/** Display names by user id; an erased account simply has no entry. */
export async function userNames(sql: SqlQueryable, userIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await sql.query<{ id: string; name: string }>(
    'SELECT id, name FROM users WHERE id = ANY($1::uuid[])', [[...userIds]],
  );
  return new Map(rows.map((row) => [row.id, row.name]));
}
