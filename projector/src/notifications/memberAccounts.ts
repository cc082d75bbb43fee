import type { Envelope } from '@primetrade/domain';
import { keepPlan, type SqlQueryable } from '@primetrade/platform';
import { mayNotify, type MemberAccount } from './recipients.js';

/**
 * Who on a board can be notified, over a whole batch (`notifications.projection.ts`): read once
 * before the batch's writes, then kept up to date with its membership events in memory, so the
 * batch is never split just to read members again.
 */

export interface BatchAccounts {
  /** Board → its members with an active account, as of the event being looked at. */
  readonly members: Map<string, MemberAccount[]>;
  /** The active accounts of the people the batch adds as members. */
  readonly added: Map<string, MemberAccount>;
}

/** The board_members rows change only by these events (the projection's upsert and delete). */
export function followMembership(accounts: BatchAccounts, event: Envelope): void {
  if (event.type !== 'MemberAdded' && event.type !== 'MemberRemoved') return;
  const { userId } = event.data;
  const members = accounts.members.get(event.boardId);
  if (!members) return;
  const account = accounts.added.get(userId);
  if (event.type === 'MemberRemoved')
    accounts.members.set(
      event.boardId,
      members.filter((m) => m.userId !== userId),
    );
  else if (account && !members.some((member) => member.userId === userId)) members.push(account);
}

/** Every batch runs it: its plan is kept (`keepPlan`). */
const memberAccounts = keepPlan(
  `SELECT m.board_id AS "boardId", u.id AS "userId", u.email, u.name FROM board_members m JOIN users u ON u.id = m.user_id
   WHERE m.board_id = ANY ($1::uuid[]) AND NOT u.disabled
   UNION ALL
   SELECT NULL, u.id, u.email, u.name FROM users u WHERE u.id = ANY ($2::uuid[]) AND NOT u.disabled`,
);

/** Member accounts of the boards whose events may notify, and of the people added, in one read. */
export async function accountsOf(tx: SqlQueryable, events: readonly Envelope[]): Promise<BatchAccounts> {
  const boardIds = [...new Set(events.filter(mayNotify).map((event) => event.boardId))];
  const members = new Map<string, MemberAccount[]>(boardIds.map((boardId) => [boardId, []]));
  const added = new Map<string, MemberAccount>();
  if (boardIds.length === 0) return { members, added };
  const addedIds = events.flatMap((event) => (event.type === 'MemberAdded' ? [event.data.userId] : []));
  const rows = await tx.query<MemberAccount & { boardId: string | null }>(memberAccounts, [boardIds, addedIds]);
  for (const { boardId, ...account } of rows) {
    if (boardId === null) added.set(account.userId, account);
    else members.get(boardId)?.push(account);
  }
  return { members, added };
}
