import type { Projection } from './projection.js';

/** `board_members`: who may see a board, and with which role (the read side's authorization). */
export const boardMembersProjection = {
  async MemberAdded(tx, event) {
    await tx.query(
      `INSERT INTO board_members (board_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (board_id, user_id) DO UPDATE SET role = excluded.role, added_at = excluded.added_at`,
      [event.boardId, event.data.userId, event.data.role, event.occurredAt],
    );
  },
  async MemberRoleChanged(tx, event) {
    await tx.query('UPDATE board_members SET role = $3 WHERE board_id = $1 AND user_id = $2', [
      event.boardId,
      event.data.userId,
      event.data.role,
    ]);
  },
  async MemberRemoved(tx, event) {
    await tx.query('DELETE FROM board_members WHERE board_id = $1 AND user_id = $2', [
      event.boardId,
      event.data.userId,
    ]);
  },
} satisfies Projection;
