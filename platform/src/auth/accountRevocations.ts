import type { Sql, SqlQueryable } from '../sql/sql.port.js';

/**
 * An account disabled or erased: every node that holds its sockets must drop them now, not when
 * the access token expires. PostgreSQL NOTIFY reaches every realtime node (and the embedded
 * process on PGlite) from the node that made the change.
 */
export const accountRevokedChannel = 'account_revoked';

export async function announceAccountRevoked(sql: SqlQueryable, userId: string): Promise<void> {
  await sql.query('SELECT pg_notify($1, $2)', [accountRevokedChannel, userId]);
}

/** Calls `onRevoked` with the user id of each account revoked anywhere; resolves to an unsubscribe. */
export function subscribeAccountRevocations(
  sql: Pick<Sql, 'listen'>,
  onRevoked: (userId: string) => void,
): Promise<() => Promise<void>> {
  return sql.listen(accountRevokedChannel, onRevoked);
}
