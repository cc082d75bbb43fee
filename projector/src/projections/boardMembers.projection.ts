import type { Envelope, Role } from '@primetrade/domain';
import type { BatchTx } from './batchTx.js';

/**
 * `board_members`: who may see a board, and with which role (the read side's authorization).
 * Set-based (docs/adr/0019-set-based-projector.md): each member's events of the batch fold into one
 * delete, upsert (an add, with later role changes) or role update, written after the boards they
 * belong to.
 */

interface MemberOutcome {
  /** The row as the last add left it; null: not added in the batch. */
  added: { board_id: string; user_id: string; role: Role; added_at: string } | null;
  removed: boolean;
  /** A role change of a member the batch did not add. */
  role: Role | null;
}

const memberTypes: ReadonlySet<string> = new Set(['MemberAdded', 'MemberRoleChanged', 'MemberRemoved']);

function memberOutcomes(events: readonly Envelope[]): Map<string, MemberOutcome> {
  const byMember = new Map<string, MemberOutcome>();
  for (const event of events) {
    if (!memberTypes.has(event.type)) continue;
    const e = event as Extract<Envelope, { type: 'MemberAdded' | 'MemberRoleChanged' | 'MemberRemoved' }>;
    const key = `${e.boardId}/${e.data.userId}`;
    const outcome = byMember.get(key) ?? { added: null, removed: false, role: null };
    byMember.set(key, outcome);
    if (e.type === 'MemberAdded') {
      const added = { board_id: e.boardId, user_id: e.data.userId, role: e.data.role, added_at: e.occurredAt };
      Object.assign(outcome, { added, removed: false, role: null });
    } else if (e.type === 'MemberRemoved') {
      Object.assign(outcome, { added: null, removed: true, role: null });
    } else if (outcome.added) {
      outcome.added.role = e.data.role;
    } else if (!outcome.removed) {
      outcome.role = e.data.role;
    }
  }
  return byMember;
}

export async function projectMembers(tx: BatchTx, events: readonly Envelope[]): Promise<void> {
  const removed: { board_id: string; user_id: string }[] = [];
  const added: NonNullable<MemberOutcome['added']>[] = [];
  const roles: { board_id: string; user_id: string; role: Role }[] = [];
  for (const [key, outcome] of memberOutcomes(events)) {
    const [board_id, user_id] = key.split('/') as [string, string];
    if (outcome.added) added.push(outcome.added);
    else if (outcome.removed) removed.push({ board_id, user_id });
    else if (outcome.role) roles.push({ board_id, user_id, role: outcome.role });
  }
  const rows = (columns: string) => `jsonb_to_recordset($1::jsonb) AS x (${columns})`;
  if (removed.length > 0)
    tx.write(
      `DELETE FROM board_members m USING ${rows('board_id uuid, user_id uuid')}
       WHERE m.board_id = x.board_id AND m.user_id = x.user_id`,
      [JSON.stringify(removed)],
    );
  if (added.length > 0)
    tx.write(
      `INSERT INTO board_members (board_id, user_id, role, added_at)
       SELECT board_id, user_id, role, added_at FROM ${rows('board_id uuid, user_id uuid, role text, added_at timestamptz')}
       ON CONFLICT (board_id, user_id) DO UPDATE SET role = excluded.role, added_at = excluded.added_at`,
      [JSON.stringify(added)],
    );
  if (roles.length > 0)
    tx.write(
      `UPDATE board_members m SET role = x.role FROM ${rows('board_id uuid, user_id uuid, role text')}
       WHERE m.board_id = x.board_id AND m.user_id = x.user_id`,
      [JSON.stringify(roles)],
    );
}
