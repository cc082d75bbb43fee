import type { SqlQueryable } from '@primetrade/platform';
import { getBoardRevision, getMemberRole, getMemberStanding } from '@primetrade/read-model';
import type { RealtimeDeps } from './realtimeServer.js';

/** Who may connect (an active account) and join a board (a member), from the read models. */
export function readModelAccess(sql: SqlQueryable): Required<Pick<RealtimeDeps, 'isActive' | 'membership'>> {
  return {
    isActive: async (userId) =>
      (await sql.query('SELECT 1 FROM users WHERE id = $1 AND NOT disabled', [userId])).length > 0,
    membership: {
      roleOf: (boardId, userId) => getMemberRole(sql, boardId, userId),
      standingOf: (boardId, userId) => getMemberStanding(sql, boardId, userId),
      revisionOf: (boardId) => getBoardRevision(sql, boardId),
    },
  };
}
