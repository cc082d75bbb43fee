import { api } from './api.js';

/** Boards and members looked up to name the search's facet values; at most this many boards are opened. */
const maxBoardsOpened = 20;

/**
 * Names for the ids a search answers with (boards and assignees): my boards from `GET /boards`, the
 * members of the boards in the results from their board views (first task of each column only), each once.
 */
export class SearchNames {
  #boards = $state.raw<ReadonlyMap<string, string>>(new Map());
  #people = $state.raw<ReadonlyMap<string, string>>(new Map());
  #opened = new Set<string>();
  #boardsLoaded = false;

  board(boardId: string): string {
    return this.#boards.get(boardId) ?? 'A board';
  }
  person(userId: string, me: string | null): string {
    if (userId === me) return 'Me';
    return this.#people.get(userId) || 'Someone';
  }

  async loadBoards(): Promise<void> {
    if (this.#boardsLoaded) return;
    this.#boardsLoaded = true;
    const boards = new Map(this.#boards);
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const { data } = await api.listBoards(cursor, 100);
      for (const board of data.items) boards.set(board.id, board.name);
      cursor = data.nextCursor;
      if (cursor === null) break;
    }
    this.#boards = boards;
  }

  /** Learns the members of these boards (the ones not opened yet, within the bound). */
  async loadMembers(boardIds: readonly string[]): Promise<void> {
    const wanted = boardIds.filter((boardId) => !this.#opened.has(boardId));
    const room = Math.max(0, maxBoardsOpened - this.#opened.size);
    const views = await Promise.all(
      wanted.slice(0, room).map(async (boardId) => {
        this.#opened.add(boardId);
        return (await api.getBoard(boardId, 1).catch(() => null))?.data ?? null;
      }),
    );
    const people = new Map(this.#people);
    for (const view of views) for (const member of view?.members ?? []) people.set(member.userId, member.name);
    this.#people = people;
  }
}
