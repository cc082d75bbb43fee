import { LRUCache } from 'lru-cache';
import { advanceBoard, boardStreamId, initialBoardState, type BoardState, type Envelope } from '@primetrade/domain';
import { toEnvelope, type EventStore } from '@primetrade/platform';

/** -1 for a board that does not exist yet, so "next revision" is always `revision + 1`. */
export const revisionOf = (state: BoardState): number => (state.status === 'initial' ? -1 : state.revision);

export interface BoardStateCache {
  /** The board's current state: the cached fold plus whatever the stream has after it. */
  load(boardId: string): Promise<BoardState>;
  /** The cached fold without asking the store (may be behind other nodes' writes). */
  peek(boardId: string): BoardState | undefined;
  /** Folds events this process just appended, so the next load reads nothing. */
  apply(boardId: string, state: BoardState, events: readonly Envelope[]): BoardState;
  /** The board holding `taskId` among the cached boards (a hint only; the store decides). */
  findBoardOfTask(taskId: string): string | null;
}

/**
 * An LRU of folded board states (docs/architecture.md: "kept warm in an in-memory cache keyed by board
 * and revision"). A hit still reads the stream forward from the cached revision + 1, so
 * events written by other nodes are never missed; the cache only saves the replay.
 */
export function createBoardStateCache(store: EventStore, maxBoards = 1_000): BoardStateCache {
  const states = new LRUCache<string, BoardState>({ max: maxBoards });

  const remember = (boardId: string, state: BoardState): void => {
    // Concurrent requests finish in any order: never trade a newer fold for an older one.
    const known = states.get(boardId);
    if (known !== undefined && revisionOf(known) > revisionOf(state)) return;
    states.set(boardId, state);
  };

  return {
    async load(boardId) {
      const cached = states.get(boardId) ?? initialBoardState;
      const stored = await store.readStream(boardStreamId(boardId), { fromRevision: BigInt(revisionOf(cached) + 1) });
      // The cached board is advanced in place too (docs/adr/0038): a tail other nodes wrote costs no copy.
      const state = advanceBoard(cached, stored.map(toEnvelope));
      if (state.status !== 'initial') remember(boardId, state);
      return state;
    },
    peek: (boardId) => states.get(boardId),
    apply(boardId, state, events) {
      // In place on the cache's own fold (docs/adr/0038): a board's tasks are not copied per command.
      const next = advanceBoard(state, events);
      if (next.status !== 'initial') remember(boardId, next);
      return next;
    },
    findBoardOfTask(taskId) {
      for (const [boardId, state] of states.entries()) {
        if (state.status !== 'initial' && state.tasks[taskId] !== undefined) return boardId;
      }
      return null;
    },
  };
}
