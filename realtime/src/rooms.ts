import type { Logger } from '@primetrade/platform';
import { boardRoom, type JoinAck, type Role } from '@primetrade/domain';
import { parseJoin, parseLeave } from './payloads.js';
import type { Presence } from './presence.js';
import type { Removals } from './removals.js';
import { splitAck, type RealtimeSocket } from './socket.types.js';

/** Read-model queries the realtime node needs; injected so it never imports the projector. */
export interface MembershipQueries {
  roleOf(boardId: string, userId: string): Promise<Role | null>;
  /** Last revision the read model applied for the board; `null` before its first event. */
  revisionOf(boardId: string): Promise<number | null>;
}

interface RoomDeps {
  readonly membership: MembershipQueries;
  readonly presence: Presence;
  readonly logger: Logger;
  readonly removals?: Removals;
}

/** `board:join` / `board:leave` (DESIGN §6). Every path answers the ack, and none can throw. */
export function registerRoomHandlers(socket: RealtimeSocket, deps: RoomDeps): void {
  socket.on('board:join', (...args: unknown[]) => {
    const { payload, ack } = splitAck(args);
    join(socket, deps, payload).then(
      (result) => ack?.(result),
      (error: unknown) => {
        deps.logger.error({ err: error, socketId: socket.id }, 'realtime: board:join failed');
        ack?.({ ok: false, code: 'SERVICE.UNAVAILABLE', message: 'Board membership could not be checked' } satisfies JoinAck);
      },
    );
  });

  socket.on('board:leave', (...args: unknown[]) => {
    const { payload, ack } = splitAck(args);
    const parsed = parseLeave(payload);
    if (!parsed.ok) {
      ack?.({ ok: false });
      return;
    }
    const { boardId } = parsed.value;
    const wasIn = socket.rooms.has(boardRoom(boardId));
    void socket.leave(boardRoom(boardId));
    ack?.({ ok: true });
    if (wasIn) {
      deps.presence.exit(socket, boardId).catch((error: unknown) => deps.logger.error({ err: error }, 'realtime: presence clean-up failed'));
    }
  });
}

async function join(socket: RealtimeSocket, deps: RoomDeps, payload: unknown): Promise<JoinAck> {
  const parsed = parseJoin(payload);
  if (!parsed.ok) return { ok: false, code: 'VALIDATION.FAILED', message: parsed.message };
  // `afterRevision` is validated but not replayed here: the client catches up through
  // `GET /boards/:id/events?after=` (DESIGN §6), which works the same behind the Redis adapter.
  const { boardId } = parsed.value;
  // Non-members learn nothing, not even that the board exists.
  const role = await deps.membership.roleOf(boardId, socket.data.userId);
  if (role === null) return { ok: false, code: 'BOARD.NOT_FOUND', message: 'Board not found' };
  if (socket.disconnected) return { ok: false, code: 'SERVICE.UNAVAILABLE', message: 'Socket disconnected' };
  // Join before reading the revision: an event published in between is then pushed to the
  // socket instead of falling between the revision read and the join. The client applies
  // `revision === mine + 1` and ignores older ones, so seeing it twice is harmless.
  await socket.join(boardRoom(boardId));
  // A check that fails (read model or Redis down) must not leave the socket in the room.
  const revision = await stillAdmitted(socket, deps, boardId).catch(async (error: unknown) => {
    await socket.leave(boardRoom(boardId));
    throw error;
  });
  if (revision === null) {
    await socket.leave(boardRoom(boardId));
    return { ok: false, code: 'BOARD.NOT_FOUND', message: 'Board not found' };
  }
  // Presence is cosmetic: its failure must not refuse a join that already happened.
  await deps.presence.enter(socket, boardId).catch((error: unknown) => deps.logger.warn({ err: error }, 'realtime: presence enter failed'));
  return { ok: true, revision };
}

/** The read model revision to ack, or null when the user may not be in the room after all. */
async function stillAdmitted(socket: RealtimeSocket, deps: RoomDeps, boardId: string): Promise<number | null> {
  const revision = (await deps.membership.revisionOf(boardId)) ?? -1;
  // The fan-out may have evicted this user while we awaited, or fanned out a removal the read
  // model does not show yet: look again now that the socket is in the room.
  const removedAt = (await deps.removals?.pending(boardId, socket.data.userId)) ?? null;
  if (removedAt !== null && removedAt > revision) return null;
  return (await deps.membership.roleOf(boardId, socket.data.userId)) === null ? null : revision;
}
