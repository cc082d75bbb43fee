import type { Logger } from '@primetrade/platform';
import { boardRoom, type PresenceUser } from '@primetrade/domain';
import { parsePresence } from './payloads.js';
import { perSecondCounter } from './socketRate.js';
import type { RealtimeIo, RealtimeSocket, SocketPresence } from './socket.types.js';

/**
 * Who is looking at which board, one entry per socket. In-memory per node for now; cluster mode
 * swaps in a Redis-backed store with the same contract, so every node lists the same users.
 */
export interface PresenceStore {
  /** Records what one socket shows on a board; replaces its previous entry and makes it the latest. */
  put(boardId: string, socketId: string, user: PresenceUser): Promise<void>;
  remove(boardId: string, socketId: string): Promise<void>;
  removeUser(boardId: string, userId: string): Promise<void>;
  /** One entry per user: the most recently put entry of any of that user's sockets. */
  list(boardId: string): Promise<PresenceUser[]>;
}

export function createInMemoryPresenceStore(): PresenceStore {
  // Map iteration follows insertion order; delete-then-set moves an entry to "latest".
  const boards = new Map<string, Map<string, PresenceUser>>();
  return {
    async put(boardId, socketId, user) {
      const entries = boards.get(boardId) ?? new Map<string, PresenceUser>();
      entries.delete(socketId);
      entries.set(socketId, user);
      boards.set(boardId, entries);
    },
    async remove(boardId, socketId) {
      const entries = boards.get(boardId);
      entries?.delete(socketId);
      if (entries?.size === 0) boards.delete(boardId);
    },
    async removeUser(boardId, userId) {
      const entries = boards.get(boardId);
      if (entries === undefined) return;
      for (const [socketId, user] of entries) if (user.userId === userId) entries.delete(socketId);
      if (entries.size === 0) boards.delete(boardId);
    },
    async list(boardId) {
      const byUser = new Map<string, PresenceUser>();
      for (const user of boards.get(boardId)?.values() ?? []) byUser.set(user.userId, user);
      return [...byUser.values()];
    },
  };
}

export interface Presence {
  /** The socket joined the board room; it shows no task until it says otherwise. */
  enter(socket: RealtimeSocket, boardId: string): Promise<void>;
  /** Fields left `undefined` keep what the socket showed before. */
  update(socket: RealtimeSocket, boardId: string, change: { taskId?: string | null; editing?: boolean }): Promise<void>;
  exit(socket: RealtimeSocket, boardId: string): Promise<void>;
  /** A member removed from the board: drop all of their sockets' entries. */
  evictUser(boardId: string, userId: string): Promise<void>;
  broadcast(boardId: string): Promise<void>;
}

export interface PresenceLimits {
  /** A board's presence is broadcast at once, then at most once per this many ms (later changes coalesce). Default 100. */
  readonly broadcastEveryMs?: number;
}

/**
 * Broadcasts `run(key)` at once, then at most once per `everyMs` per key: requests inside the
 * window coalesce into one trailing run that sees the latest state. One viewer sending thousands
 * of updates costs the room a few broadcasts a second, not thousands.
 */
function coalescePerKey(
  everyMs: number,
  run: (key: string) => Promise<void>,
  onError: (error: unknown) => void,
): (key: string) => Promise<void> {
  const windows = new Map<string, { trailing: boolean }>();
  const schedule = (key: string): Promise<void> => {
    const open = windows.get(key);
    if (open) {
      open.trailing = true;
      return Promise.resolve();
    }
    const window = { trailing: false };
    windows.set(key, window);
    setTimeout(() => {
      windows.delete(key);
      if (window.trailing) schedule(key).catch(onError);
    }, everyMs).unref();
    return run(key);
  };
  return schedule;
}

export function createPresence(
  io: RealtimeIo,
  store: PresenceStore,
  limits: PresenceLimits = {},
  onError: (error: unknown) => void = () => {},
): Presence {
  const nothingShown: SocketPresence = { taskId: null, editing: false };
  const put = (socket: RealtimeSocket, boardId: string, shown: SocketPresence): Promise<void> => {
    socket.data.presence[boardId] = shown;
    const { userId, name } = socket.data;
    return store.put(boardId, socket.id, { userId, name, ...shown });
  };
  const broadcast = coalescePerKey(
    limits.broadcastEveryMs ?? 100,
    async (boardId) => {
      const users = await store.list(boardId);
      io.to(boardRoom(boardId)).emit('presence', { boardId, users });
    },
    onError,
  );
  return {
    broadcast,
    async enter(socket, boardId) {
      await put(socket, boardId, socket.data.presence[boardId] ?? nothingShown);
      await broadcast(boardId);
    },
    async update(socket, boardId, change) {
      const before = socket.data.presence[boardId] ?? nothingShown;
      const after = {
        taskId: change.taskId === undefined ? before.taskId : change.taskId,
        editing: change.editing ?? before.editing,
      };
      // Saying again what everyone already sees changes nothing and is not re-broadcast.
      if (
        socket.data.presence[boardId] !== undefined &&
        after.taskId === before.taskId &&
        after.editing === before.editing
      )
        return;
      await put(socket, boardId, after);
      await broadcast(boardId);
    },
    async exit(socket, boardId) {
      delete socket.data.presence[boardId];
      await store.remove(boardId, socket.id);
      await broadcast(boardId);
    },
    async evictUser(boardId, userId) {
      await store.removeUser(boardId, userId);
      await broadcast(boardId);
    },
  };
}

/** A socket may say what it looks at this often; more is dropped (a person moves focus a few times a second at most). */
export const presenceUpdatesPerSecond = 20;

/** `presence:update` (fire and forget, throttled per socket) and the clean-up when a socket goes away. */
export function registerPresenceHandlers(socket: RealtimeSocket, presence: Presence, logger: Logger): void {
  const updates = perSecondCounter();
  socket.on('presence:update', (payload: unknown) => {
    const count = updates.note();
    if (count > presenceUpdatesPerSecond) {
      if (count === presenceUpdatesPerSecond + 1)
        logger.warn({ socketId: socket.id, userId: socket.data.userId }, 'realtime: presence updates throttled');
      return;
    }
    const parsed = parsePresence(payload);
    if (!parsed.ok) {
      logger.debug({ socketId: socket.id, reason: parsed.message }, 'realtime: presence update refused');
      return;
    }
    const { boardId, taskId, editing } = parsed.value;
    // Only sockets in the room may show themselves there (membership was checked on join).
    if (!socket.rooms.has(boardRoom(boardId))) return;
    presence
      .update(socket, boardId, { taskId, editing })
      .catch((error: unknown) => logger.error({ err: error }, 'realtime: presence update failed'));
  });
  // `disconnecting` still sees the rooms; by `disconnect` they are gone.
  socket.on('disconnecting', () => {
    const boards = Object.keys(socket.data.presence).filter((boardId) => socket.rooms.has(boardRoom(boardId)));
    for (const boardId of boards) {
      presence
        .exit(socket, boardId)
        .catch((error: unknown) => logger.error({ err: error }, 'realtime: presence clean-up failed'));
    }
  });
}
