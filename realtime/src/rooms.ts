import type { Logger } from '@primetrade/platform';
import { boardRoom, type JoinAck, type LeaveAck, type Role } from '@primetrade/domain';
import { isMemberOf, storedRevisionOf, type MemberStanding, type StoredBoards } from '@primetrade/read-model';
import { parseJoin, parseLeave } from './payloads.js';
import { perSecondCounter } from './socketRate.js';
import type { Presence } from './presence.js';
import type { Removals } from './removals.js';
import { splitAck, type RealtimeSocket } from './socket.types.js';

/** Read-model queries the realtime node needs; injected so it never imports the projector. */
export interface MembershipQueries {
  roleOf(boardId: string, userId: string): Promise<Role | null>;
  /** The role and the board's projected revision from one snapshot (`getMemberStanding`). */
  standingOf(boardId: string, userId: string): Promise<MemberStanding>;
  /** Last revision the read model applied for the board; `null` before its first event. */
  revisionOf(boardId: string): Promise<number | null>;
}

interface RoomDeps {
  readonly membership: MembershipQueries;
  /** Without it (tests of the read-model path only) the read models alone decide. */
  readonly storedBoards?: StoredBoards;
  readonly presence: Presence;
  readonly logger: Logger;
  readonly removals?: Removals;
  /** False for a disabled or erased account: a socket opened before that may not join any more. */
  readonly isActive?: (userId: string) => Promise<boolean>;
}

/**
 * `board:join` / `board:leave` (domain/src/realtime.contract.ts). Every path answers the ack, a refusal
 * as `{ ok: false, code, message }`, and none can throw.
 */
export function registerRoomHandlers(socket: RealtimeSocket, deps: RoomDeps): void {
  const joins = perSecondCounter();
  socket.on('board:join', (...args: unknown[]) => {
    const { payload, ack } = splitAck(args);
    join(socket, deps, payload, joins).then(
      (result) => ack?.(result),
      (error: unknown) => {
        deps.logger.error({ err: error, socketId: socket.id }, 'realtime: board:join failed');
        ack?.({
          ok: false,
          code: 'SERVICE.UNAVAILABLE',
          message: 'Board membership could not be checked',
        } satisfies JoinAck);
      },
    );
  });

  socket.on('board:leave', (...args: unknown[]) => {
    const { payload, ack } = splitAck(args);
    const parsed = parseLeave(payload);
    if (!parsed.ok) {
      ack?.({ ok: false, code: 'VALIDATION.FAILED', message: parsed.message } satisfies LeaveAck);
      return;
    }
    const { boardId } = parsed.value;
    const wasIn = socket.rooms.has(boardRoom(boardId));
    void socket.leave(boardRoom(boardId));
    ack?.({ ok: true } satisfies LeaveAck);
    if (wasIn) {
      deps.presence
        .exit(socket, boardId)
        .catch((error: unknown) => deps.logger.error({ err: error }, 'realtime: presence clean-up failed'));
    }
  });
}

/** Where a join's membership was decided: the read models (current enough) or the board's stream. */
type Authority = 'readModel' | 'store';

/**
 * A socket may ask to join this often; the rest are refused before the read models are asked. A
 * client joins the board it opens, once per connection; each join costs read-model (and maybe event
 * store) queries from a small pool that `/readyz` and every other socket share.
 */
export const joinsPerSecond = 10;

async function join(
  socket: RealtimeSocket,
  deps: RoomDeps,
  payload: unknown,
  joins: { note(): number },
): Promise<JoinAck> {
  const parsed = parseJoin(payload);
  if (!parsed.ok) return { ok: false, code: 'VALIDATION.FAILED', message: parsed.message };
  const count = joins.note();
  if (count > joinsPerSecond) {
    if (count === joinsPerSecond + 1)
      deps.logger.warn({ socketId: socket.id, userId: socket.data.userId }, 'realtime: board joins throttled');
    return { ok: false, code: 'RATE_LIMITED', message: `At most ${joinsPerSecond} joins a second per connection` };
  }
  // `afterRevision` is not replayed here: the client catches up through `GET /boards/:id/events?after=`,
  // which reads the store and works the same behind the Redis adapter. It only says how current the
  // read models must be to decide this join (docs/consistency.md, "Joining a board's room").
  const { boardId, afterRevision } = parsed.value;
  if (deps.isActive && !(await deps.isActive(socket.data.userId)))
    return { ok: false, code: 'AUTH.ACCOUNT_DISABLED', message: 'This account is disabled' };
  // Non-members learn nothing, not even that the board exists.
  const authority = await admit(deps, boardId, socket.data.userId, afterRevision);
  if (authority === null) return { ok: false, code: 'BOARD.NOT_FOUND', message: 'Board not found' };
  if (socket.disconnected) return { ok: false, code: 'SERVICE.UNAVAILABLE', message: 'Socket disconnected' };
  // A socket already in the room that joins again (a retry, a buggy or hostile client) gets its ack
  // but changes nothing the room sees: no presence broadcast, and its tab does not become the latest.
  const alreadyShown = socket.rooms.has(boardRoom(boardId)) && socket.data.presence[boardId] !== undefined;
  // Join before reading the revision: an event published in between is then pushed to the
  // socket instead of falling between the revision read and the join. The client applies
  // `revision === mine + 1` and ignores older ones, so seeing it twice is harmless.
  await socket.join(boardRoom(boardId));
  // A check that fails (read model, store or Redis down) must not leave the socket in the room.
  const revision = await stillAdmitted(socket, deps, boardId, authority).catch(async (error: unknown) => {
    await socket.leave(boardRoom(boardId));
    throw error;
  });
  if (revision === null) {
    await socket.leave(boardRoom(boardId));
    return { ok: false, code: 'BOARD.NOT_FOUND', message: 'Board not found' };
  }
  if (alreadyShown) return { ok: true, revision };
  // Presence is cosmetic: its failure must not refuse a join that already happened.
  await deps.presence
    .enter(socket, boardId)
    .catch((error: unknown) => deps.logger.warn({ err: error }, 'realtime: presence enter failed'));
  return { ok: true, revision };
}

/**
 * Who decides this join. The read models, when they have applied both the revision the client
 * loaded and the stream's last one (as command-api/src/boards/boardAccess.ts does).
 * Otherwise (a board or a member they do not show yet, a revision they have not reached, a removal
 * they have not applied, a "no" that may be stale) the board's stream decides: a member added a
 * moment ago gets in however far the projector lags; a non-member, or a member removed a moment
 * ago, is refused authoritatively. Both paths cost about the same for a non-member of an existing
 * board and an unknown board. The GraphQL subscription `boardEvents` takes the same decision (boardFeed.ts).
 */
export async function admit(
  deps: Pick<RoomDeps, 'membership' | 'storedBoards'>,
  boardId: string,
  userId: string,
  afterRevision: number | null,
): Promise<Authority | null> {
  // Role and revision from one snapshot: read apart, a projector commit between them could pair a
  // stale "no" with a revision that makes it look current.
  const [{ role, revision: projected }, stored] = await Promise.all([
    deps.membership.standingOf(boardId, userId),
    deps.storedBoards?.revision(boardId) ?? Promise.resolve(-1),
  ]);
  const current = (projected ?? -1) >= Math.max(afterRevision ?? -1, stored);
  // Current read models are the whole truth, "no" included: no fold for a non-member or an unknown board.
  if (current || !deps.storedBoards) return role === null ? null : 'readModel';
  return isMemberOf(await deps.storedBoards.load(boardId), userId) ? 'store' : null;
}

/** The revision to ack, or null when the user may not be in the room after all. */
async function stillAdmitted(
  socket: RealtimeSocket,
  deps: RoomDeps,
  boardId: string,
  authority: Authority,
): Promise<number | null> {
  const userId = socket.data.userId;
  const state = authority === 'store' ? await deps.storedBoards?.load(boardId) : undefined;
  const revision = state ? storedRevisionOf(state) : ((await deps.membership.revisionOf(boardId)) ?? -1);
  // The fan-out may have evicted this user while we awaited, or fanned out a removal the read
  // model (or our fold) does not show yet: look again now that the socket is in the room.
  const removedAt = (await deps.removals?.pending(boardId, userId)) ?? null;
  if (removedAt !== null && removedAt > revision) return null;
  if (state) return isMemberOf(state, userId) ? revision : null;
  return (await deps.membership.roleOf(boardId, userId)) === null ? null : revision;
}
