import { DomainError, type BoardState } from '@primetrade/domain';
import type { Sql } from '@primetrade/platform';
import type { CommandHandler } from '../commands/handleCommand.js';

/**
 * Erasure and board memberships (issue 11). Accounts are not board state, so the person's boards
 * come from the read model; each board's own state (folded from its stream) decides the rest.
 */
export interface Membership {
  readonly boardId: string;
  readonly state: Exclude<BoardState, { status: 'initial' }>;
}

/** The boards the person is a member of, as their streams say now. */
export async function membershipsOf(sql: Sql, commands: CommandHandler, userId: string): Promise<Membership[]> {
  const rows = await sql.query<{ board_id: string }>(
    'SELECT board_id FROM board_members WHERE user_id = $1 ORDER BY board_id',
    [userId],
  );
  const memberships: Membership[] = [];
  for (const { board_id: boardId } of rows) {
    const state = await commands.load(boardId);
    if (state.status !== 'initial' && state.members[userId] !== undefined) memberships.push({ boardId, state });
  }
  return memberships;
}

const isSoleOwner = ({ state }: Membership, userId: string): boolean =>
  state.members[userId]?.role === 'owner' &&
  Object.values(state.members).filter((member) => member.role === 'owner').length === 1;

/** Archived with no task left: nobody works on it, so its only owner's erasure need not wait for it. */
const isArchivedAndEmpty = ({ state }: Membership): boolean =>
  state.status === 'archived' && Object.keys(state.tasks).length === 0;

/**
 * Refuses (409 USER.SOLE_OWNER, each board in the details) when the person is the only owner of a
 * board still in use: the board would be left without anyone who may manage it. The admin names a
 * successor (`successorId`), or someone else becomes an owner first (or the board is archived and emptied).
 */
export function refuseSoleOwnership(memberships: readonly Membership[], userId: string): void {
  const blocking = memberships.filter(
    (membership) => isSoleOwner(membership, userId) && !isArchivedAndEmpty(membership),
  );
  if (blocking.length === 0) return;
  const names = blocking.map(({ state }) => `“${state.name}”`).join(', ');
  throw new DomainError(
    'USER.SOLE_OWNER',
    `The person is the only owner of ${names}: name a successor (?successorId=<user id>) who becomes their owner, ` +
      'or make another member an owner first (or archive the board with no tasks left)',
    blocking.map(({ boardId, state }) => ({ field: 'boards', message: `${boardId} ${state.name}` })),
  );
}

interface BoardChange {
  readonly userId: string;
  readonly actorId: string;
  readonly now: string;
  readonly correlationId: string;
}

/**
 * Makes the successor an owner of every board the person is the only owner of (archived ones
 * too), with board events in each board's stream, the admin as actor (AppointOwnerForErasure).
 * Returns the memberships as the boards are now, so the removal that follows takes the person
 * off those boards as well, and the boards where the successor became an owner.
 */
export async function appointSuccessor(
  commands: CommandHandler,
  memberships: readonly Membership[],
  appointment: BoardChange & { readonly successorId: string },
): Promise<{ memberships: Membership[]; appointedIn: string[] }> {
  const updated: Membership[] = [];
  const appointedIn: string[] = [];
  for (const membership of memberships) {
    if (!isSoleOwner(membership, appointment.userId)) {
      updated.push(membership);
      continue;
    }
    const result = await commands.handle(
      membership.boardId,
      {
        type: 'AppointOwnerForErasure',
        data: { userId: appointment.successorId, erasedUserId: appointment.userId },
        metadata: { now: appointment.now, actorId: appointment.actorId },
      },
      { correlationId: appointment.correlationId, causationId: null },
    );
    if (result.events.length > 0) appointedIn.push(membership.boardId);
    updated.push(result.state.status === 'initial' ? membership : { boardId: membership.boardId, state: result.state });
  }
  return { memberships: updated, appointedIn };
}

/**
 * Takes the person off each board with the normal member-removal events (their tasks unassigned,
 * then MemberRemoved) in the board's own stream, the admin as actor: members see it live and the
 * history records it. The only owner of an archived, empty board stays its owner (a board always
 * keeps one); the erased account behind the id is gone all the same. Returns the boards left.
 */
export async function removeMemberships(
  commands: CommandHandler,
  memberships: readonly Membership[],
  removal: BoardChange,
): Promise<string[]> {
  const left: string[] = [];
  for (const membership of memberships) {
    if (isSoleOwner(membership, removal.userId)) continue;
    try {
      await commands.handle(
        membership.boardId,
        {
          type: 'RemoveErasedMember',
          data: { userId: removal.userId },
          metadata: { now: removal.now, actorId: removal.actorId },
        },
        { correlationId: removal.correlationId, causationId: null },
      );
      left.push(membership.boardId);
    } catch (error) {
      // Removed by an owner in the meantime: nothing left to do on that board.
      if (!(error instanceof DomainError && error.code === 'MEMBER.NOT_FOUND')) throw error;
    }
  }
  return left;
}
