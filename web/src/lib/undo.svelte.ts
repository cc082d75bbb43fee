import { api } from './api.js';
import type { BoardStore } from './board.svelte.js';

interface MyChange {
  readonly revision: number;
  readonly label: string;
}

/** How many of my own changes Ctrl+Z can walk back through. */
const depth = 20;

/**
 * Undo on one board: my recent changes (for the toast and Ctrl+Z) and undo of any change by
 * revision (the history view). The server decides; the board catches up with the compensating
 * events like with anyone else's change, so two browsers see the same thing.
 */
export class BoardUndo {
  readonly #boardId: string;
  readonly #store: BoardStore;
  #mine = $state.raw<readonly MyChange[]>([]);
  #busy = $state(false);

  constructor(boardId: string, store: BoardStore) {
    this.#boardId = boardId;
    this.#store = store;
  }

  get canUndoMine(): boolean {
    return this.#mine.length > 0 && !this.#busy;
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** Remembers a change I made (null: the request changed nothing). */
  record(revision: number | null, label: string): void {
    if (revision === null) return;
    this.#mine = [...this.#mine.filter((change) => change.revision !== revision), { revision, label }].slice(-depth);
  }

  /** Undoes my latest change still on the list; resolves to its label, or null when there is none. */
  async undoMine(): Promise<string | null> {
    const last = this.#mine.at(-1);
    if (last === undefined || this.#busy) return null;
    await this.undo(last.revision);
    this.#mine = this.#mine.filter((change) => change !== last);
    return last.label;
  }

  /** Undoes the change `revision` belongs to; a refusal rejects with the server's reason. */
  async undo(revision: number): Promise<void> {
    this.#busy = true;
    try {
      await api.undo(this.#boardId, revision);
      this.#mine = this.#mine.filter((change) => change.revision !== revision);
      await this.#store.catchUp();
    } finally {
      this.#busy = false;
    }
  }
}
