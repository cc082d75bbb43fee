import type { Redis } from '@primetrade/platform';

/**
 * Member removals fanned out, remembered until the read model shows them. The realtime consumer
 * can see `MemberRemoved` before the projector deletes the membership row; a `board:join` in that
 * window must not put the removed user back in the room. In cluster mode one node fans the removal
 * out and another may take the join, so the memory is shared (Redis); hence the async interface.
 */
export interface Removals {
  record(boardId: string, userId: string, revision: number): Promise<void>;
  readmit(boardId: string, userId: string): Promise<void>;
  /** Revision of a removal the read model may not show yet, or null. */
  pending(boardId: string, userId: string): Promise<number | null>;
}

/** One node's memory, bounded by `maxEntries` (the oldest removal is forgotten first). */
export function createRemovals(maxEntries = 10_000): Removals {
  const removed = new Map<string, number>();
  const key = (boardId: string, userId: string) => `${boardId}:${userId}`;
  return {
    async record(boardId, userId, revision) {
      if (removed.size >= maxEntries) removed.delete(removed.keys().next().value ?? '');
      removed.set(key(boardId, userId), revision);
    },
    readmit: async (boardId, userId) => void removed.delete(key(boardId, userId)),
    pending: async (boardId, userId) => removed.get(key(boardId, userId)) ?? null,
  };
}

export interface RedisRemovalsOptions {
  /** Keys are `<prefix>removal:<boardId>:<userId>`. */
  readonly prefix: string;
  /**
   * How long a removal is remembered: longer than the projector can lag behind the realtime
   * consumer. The expiry bounds memory the way `maxEntries` does in process. Default 10 minutes.
   */
  readonly ttlMs?: number;
}

/** Removals shared by every realtime node, one expiring key per removed member. */
export function createRedisRemovals(client: Redis, options: RedisRemovalsOptions): Removals {
  const ttlMs = options.ttlMs ?? 600_000;
  if (!Number.isInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError('createRedisRemovals: ttlMs must be a positive integer');
  const key = (boardId: string, userId: string) => `${options.prefix}removal:${boardId}:${userId}`;
  return {
    async record(boardId, userId, revision) {
      if (!Number.isInteger(revision) || revision < 0)
        throw new RangeError(`Removals.record: revision must be a non-negative integer, got ${revision}`);
      await client.set(key(boardId, userId), String(revision), 'PX', ttlMs);
    },
    async readmit(boardId, userId) {
      await client.del(key(boardId, userId));
    },
    async pending(boardId, userId) {
      const revision = await client.get(key(boardId, userId));
      return revision === null ? null : Number(revision);
    },
  };
}
