import type { BoardSummaryDto } from '@primetrade/domain';
import { api } from './api.js';

/** "My boards", page by page (keyset cursor), with the board-level commands of the list. */
export class BoardList {
  #items = $state.raw<readonly BoardSummaryDto[]>([]);
  #nextCursor = $state.raw<string | null>(null);
  #loading = $state(false);
  #loaded = $state(false);

  get items(): readonly BoardSummaryDto[] {
    return this.#items;
  }
  get hasMore(): boolean {
    return this.#nextCursor !== null;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get loaded(): boolean {
    return this.#loaded;
  }

  /** The first page (again). */
  async load(pageSize = 20): Promise<void> {
    await this.#fetch(null, pageSize, false);
  }

  async loadMore(pageSize = 20): Promise<void> {
    if (this.#nextCursor !== null) await this.#fetch(this.#nextCursor, pageSize, true);
  }

  async create(name: string, description: string): Promise<string> {
    const { data } = await api.createBoard(description === '' ? { name } : { name, description });
    this.#items = [{ ...data.board, role: 'owner' }, ...this.#items];
    return data.board.id;
  }

  async rename(boardId: string, name: string): Promise<void> {
    this.#replace((await api.updateBoard(boardId, { name })).data);
  }

  async archive(boardId: string): Promise<void> {
    this.#replace((await api.archiveBoard(boardId)).data);
  }

  async restore(boardId: string): Promise<void> {
    this.#replace((await api.restoreBoard(boardId)).data);
  }

  async #fetch(cursor: string | null, pageSize: number, append: boolean): Promise<void> {
    this.#loading = true;
    try {
      const { data } = await api.listBoards(cursor, pageSize);
      this.#items = append ? [...this.#items, ...data.items] : data.items;
      this.#nextCursor = data.nextCursor;
      this.#loaded = true;
    } finally {
      this.#loading = false;
    }
  }

  #replace(board: Omit<BoardSummaryDto, 'role'>): void {
    this.#items = this.#items.map((item) => (item.id === board.id ? { ...item, ...board } : item));
  }
}
