/**
 * Member removals this node has fanned out, remembered until the read model shows them. The
 * realtime consumer can see `MemberRemoved` before the projector deletes the membership row; a
 * `board:join` in that window must not put the removed user back in the room.
 */
export interface Removals {
  record(boardId: string, userId: string, revision: number): void;
  readmit(boardId: string, userId: string): void;
  /** Revision of a removal the read model may not show yet, or null. */
  pending(boardId: string, userId: string): number | null;
}

export function createRemovals(maxEntries = 10_000): Removals {
  const removed = new Map<string, number>();
  const key = (boardId: string, userId: string) => `${boardId}:${userId}`;
  return {
    record(boardId, userId, revision) {
      if (removed.size >= maxEntries) removed.delete(removed.keys().next().value ?? '');
      removed.set(key(boardId, userId), revision);
    },
    readmit: (boardId, userId) => void removed.delete(key(boardId, userId)),
    pending: (boardId, userId) => removed.get(key(boardId, userId)) ?? null,
  };
}
