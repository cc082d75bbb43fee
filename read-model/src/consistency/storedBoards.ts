import { LRUCache } from 'lru-cache';
import { boardStreamId, foldBoard, initialBoardState, type BoardState, type Envelope } from '@primetrade/domain';
import { toEnvelope, type EventStore } from '@primetrade/platform';

/**
 * A board's state folded from its stream: the authority when the read models lag (a board or a
 * member they do not show yet). For read-side services that may not import command-api; the
 * command side keeps its own cache (command-api/src/commands/boardStateCache.ts).
 */
export interface StoredBoards {
  /** The current fold: the last fold kept here plus whatever the stream has after it. */
  load(boardId: string): Promise<BoardState>;
  /** The stream's last revision (-1 when the board does not exist): one cheap look, no fold. */
  revision(boardId: string): Promise<number>;
  /** The stream's events after revision `after`, oldest first, at most `max` (GraphQL's catch-up, realtime/src/boardFeed.ts). */
  eventsAfter(boardId: string, after: number, max: number): Promise<Envelope[]>;
}

const revisionOf = (state: BoardState): number => (state.status === 'initial' ? -1 : state.revision);

/** Keeps the last `maxBoards` folds, so a second look at a board reads only its new events. */
export function createStoredBoards(store: EventStore, maxBoards = 200): StoredBoards {
  const folds = new LRUCache<string, BoardState>({ max: maxBoards });
  return {
    async revision(boardId) {
      const revision = await store.streamRevision(boardStreamId(boardId));
      return revision === null ? -1 : Number(revision);
    },
    async eventsAfter(boardId, after, max) {
      const stored = await store.readStream(boardStreamId(boardId), { fromRevision: BigInt(after + 1), maxCount: max });
      return stored.map(toEnvelope);
    },
    async load(boardId) {
      const known = folds.get(boardId) ?? initialBoardState;
      const stored = await store.readStream(boardStreamId(boardId), { fromRevision: BigInt(revisionOf(known) + 1) });
      // Stepwise: a board's first load may fold its whole stream; `evolve` per event would copy its records every time.
      const state = foldBoard(stored.map(toEnvelope), known);
      if (state.status === 'initial') return state;
      const current = folds.get(boardId);
      if (current === undefined || revisionOf(current) < revisionOf(state)) folds.set(boardId, state);
      return state;
    },
  };
}

export const isMemberOf = (state: BoardState, userId: string): boolean =>
  state.status !== 'initial' && state.members[userId] !== undefined;

export const storedRevisionOf = revisionOf;
