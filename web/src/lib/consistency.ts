/**
 * Read-your-writes bookkeeping (docs/consistency.md): the board revision of each of my writes,
 * turned into the `Min-Revision` header of the reads that follow, so a read served by the read
 * models never shows the world from before my own change.
 */
export interface WriteTokensOptions {
  readonly now?: () => number;
  /** Lists across boards wait only for my writes this recent. Default 60 s. */
  readonly listWindowMs?: number;
  /** At most this many boards in one header (the server refuses more than 32). Default 16. */
  readonly maxBoards?: number;
}

interface Written {
  readonly revision: number;
  readonly at: number;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Tasks whose board I know: enough for the task pages I have open. */
const maxTasks = 500;

export class WriteTokens {
  readonly #now: () => number;
  readonly #listWindowMs: number;
  readonly #maxBoards: number;
  readonly #boards = new Map<string, Written>();
  readonly #taskBoards = new Map<string, string>();

  constructor(options: WriteTokensOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#listWindowMs = options.listWindowMs ?? 60_000;
    this.#maxBoards = options.maxBoards ?? 16;
  }

  /** My write brought `boardId` to `revision` (never moves a board's token back). */
  recordWrite(boardId: string, revision: number): void {
    if (!uuidPattern.test(boardId) || !Number.isSafeInteger(revision) || revision < 0) return;
    const known = this.#boards.get(boardId);
    this.#boards.delete(boardId);
    this.#boards.set(boardId, { revision: Math.max(revision, known?.revision ?? -1), at: this.#now() });
    // The oldest write first in the map: drop it when there are too many to send anyway.
    while (this.#boards.size > 4 * this.#maxBoards) {
      const oldest = this.#boards.keys().next();
      if (oldest.done === true) break;
      this.#boards.delete(oldest.value);
    }
  }

  /** Task routes name no board: learn it from the task DTOs the API returns. */
  rememberTask(taskId: string, boardId: string): void {
    this.#taskBoards.delete(taskId);
    this.#taskBoards.set(taskId, boardId);
    const oldest = this.#taskBoards.keys().next();
    if (this.#taskBoards.size > maxTasks && oldest.done !== true) this.#taskBoards.delete(oldest.value);
  }

  boardOfTask(taskId: string): string | null {
    return this.#taskBoards.get(taskId) ?? null;
  }

  /** The header for a read of one board: my last write's revision there, or null. */
  forBoard(boardId: string): string | null {
    const written = this.#boards.get(boardId);
    return written ? String(written.revision) : null;
  }

  /** The header for a list across boards: `<boardId>:<revision>` of my recent writes, newest first. */
  forList(): string | null {
    const since = this.#now() - this.#listWindowMs;
    const recent = [...this.#boards]
      .filter(([, written]) => written.at >= since)
      .reverse()
      .slice(0, this.#maxBoards);
    return recent.length === 0 ? null : recent.map(([boardId, written]) => `${boardId}:${written.revision}`).join(', ');
  }

  clear(): void {
    this.#boards.clear();
    this.#taskBoards.clear();
  }
}

const boardPath = /^\/boards\/([^/?]+)(\/[^?]*)?/;
const taskPath = /^\/tasks\/([^/?]+)/;
const listPaths = /^\/(boards|tasks|me\/stats|notifications)(\?|$)/;

/** The `Min-Revision` to send with `GET path`, or null (reads of the store need none). */
export function minRevisionFor(tokens: WriteTokens, path: string): string | null {
  if (listPaths.test(path)) return tokens.forList();
  const board = boardPath.exec(path);
  if (board?.[1] !== undefined) {
    // The event feed reads the store itself.
    if (/^\/events\b/.test(board[2] ?? '')) return null;
    return tokens.forBoard(decodeURIComponent(board[1]));
  }
  const task = taskPath.exec(path);
  if (task?.[1] !== undefined) {
    const boardId = tokens.boardOfTask(decodeURIComponent(task[1]));
    const revision = boardId === null ? null : tokens.forBoard(boardId);
    // The vector form: the server picks the task's board from it.
    return boardId !== null && revision !== null ? `${boardId}:${revision}` : tokens.forList();
  }
  return null;
}

/** The board a write went to: from its path, or from the answer (a new board, a task). */
export function boardOfWrite(tokens: WriteTokens, path: string, data: unknown): string | null {
  const fromPath = boardPath.exec(path)?.[1];
  if (fromPath !== undefined) return decodeURIComponent(fromPath);
  const body = (typeof data === 'object' && data !== null ? data : {}) as {
    boardId?: unknown;
    board?: { id?: unknown };
  };
  if (typeof body.boardId === 'string') return body.boardId;
  if (typeof body.board?.id === 'string') return body.board.id;
  const task = taskPath.exec(path)?.[1];
  return task === undefined ? null : tokens.boardOfTask(decodeURIComponent(task));
}

/** Remembers the boards of the tasks in an answer (one task, a page of tasks). */
export function learnTasks(tokens: WriteTokens, data: unknown): void {
  const items =
    typeof data === 'object' && data !== null && Array.isArray((data as { items?: unknown }).items)
      ? (data as { items: unknown[] }).items
      : [data];
  for (const item of items) {
    const task = item as { id?: unknown; boardId?: unknown; title?: unknown } | null;
    if (task && typeof task.id === 'string' && typeof task.boardId === 'string' && typeof task.title === 'string') {
      tokens.rememberTask(task.id, task.boardId);
    }
  }
}
