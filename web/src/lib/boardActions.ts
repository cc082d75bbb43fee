import { api, type Anchor, type TaskFields } from './api.js';
import type { BoardStore } from './board.svelte.js';

let localIds = 0;
/** Ids for cards predicted here; the server assigns the real one. */
const localId = () => `local-${++localIds}`;

/** Placement for the API (`beforeTaskId|afterTaskId`) and for the domain command (`beforeId|afterId`). */
const placement = (anchor: Anchor) => ({ beforeId: anchor.beforeTaskId, afterId: anchor.afterTaskId });

/**
 * What people do on a board, each as an optimistic change: the store shows the domain's prediction
 * at once and the request's answer (the board revision in the ETag) settles or rolls it back.
 */
export class BoardActions {
  readonly #boardId: string;
  readonly #store: BoardStore;
  readonly #onChanged: ((revision: number, label: string) => void) | undefined;

  /** `onChanged` hears of each change that went through, with what to call it (the undo toast). */
  constructor(boardId: string, store: BoardStore, onChanged?: (revision: number, label: string) => void) {
    this.#boardId = boardId;
    this.#store = store;
    this.#onChanged = onChanged;
  }

  async #tracked(label: string, change: Promise<number | null>): Promise<number | null> {
    const revision = await change;
    if (revision !== null) this.#onChanged?.(revision, label);
    return revision;
  }

  createTask(columnId: string, title: string, anchor: Anchor = {}): Promise<number | null> {
    return this.#tracked(
      'Task created',
      this.#store.change(
        { type: 'CreateTask', data: { taskId: localId(), title, columnId, ...placement(anchor) } },
        async () => (await api.createTask(this.#boardId, { title, columnId, ...anchor })).revision,
      ),
    );
  }

  updateTask(taskId: string, fields: TaskFields): Promise<number | null> {
    return this.#tracked(
      'Task saved',
      this.#store.change(
        { type: 'UpdateTask', data: { taskId, ...fields } },
        async () => (await api.updateTask(taskId, fields)).revision,
      ),
    );
  }

  moveTask(taskId: string, columnId: string, anchor: Anchor): Promise<number | null> {
    return this.#tracked(
      'Task moved',
      this.#store.change(
        { type: 'MoveTask', data: { taskId, columnId, ...placement(anchor) } },
        async () => (await api.moveTask(taskId, { columnId, ...anchor })).revision,
      ),
    );
  }

  completeTask(taskId: string, done: boolean): Promise<number | null> {
    return this.#tracked(
      done ? 'Task completed' : 'Task reopened',
      this.#store.change(
        { type: done ? 'CompleteTask' : 'ReopenTask', data: { taskId } },
        async () => (await api.taskAction(taskId, done ? 'complete' : 'reopen')).revision,
      ),
    );
  }

  archiveTask(taskId: string, archived: boolean): Promise<number | null> {
    return this.#tracked(
      archived ? 'Task archived' : 'Task restored',
      this.#store.change(
        { type: archived ? 'ArchiveTask' : 'RestoreTask', data: { taskId } },
        async () => (await api.taskAction(taskId, archived ? 'archive' : 'restore')).revision,
      ),
    );
  }

  deleteTask(taskId: string): Promise<number | null> {
    return this.#tracked(
      'Task deleted',
      this.#store.change({ type: 'DeleteTask', data: { taskId } }, async () => (await api.deleteTask(taskId)).revision),
    );
  }

  addComment(taskId: string, body: string): Promise<number | null> {
    return this.#tracked(
      'Comment added',
      this.#store.change(
        { type: 'AddComment', data: { taskId, commentId: localId(), body } },
        async () => (await api.addComment(taskId, body)).revision,
      ),
    );
  }

  editComment(taskId: string, commentId: string, body: string): Promise<number | null> {
    return this.#tracked(
      'Comment edited',
      this.#store.change(
        { type: 'EditComment', data: { taskId, commentId, body } },
        async () => (await api.editComment(taskId, commentId, body)).revision,
      ),
    );
  }

  deleteComment(taskId: string, commentId: string): Promise<number | null> {
    return this.#tracked(
      'Comment deleted',
      this.#store.change(
        { type: 'DeleteComment', data: { taskId, commentId } },
        async () => (await api.deleteComment(taskId, commentId)).revision,
      ),
    );
  }

  addColumn(name: string, wipLimit: number | null, isDone: boolean): Promise<number | null> {
    return this.#tracked(
      'Column added',
      this.#store.change(
        { type: 'AddColumn', data: { columnId: localId(), name, wipLimit, isDone } },
        async () => (await api.addColumn(this.#boardId, { name, wipLimit, isDone })).revision,
      ),
    );
  }

  updateColumn(columnId: string, changes: { name?: string; wipLimit?: number | null }): Promise<number | null> {
    const intent =
      changes.name !== undefined
        ? ({ type: 'RenameColumn', data: { columnId, name: changes.name } } as const)
        : ({ type: 'SetColumnWipLimit', data: { columnId, wipLimit: changes.wipLimit ?? null } } as const);
    return this.#tracked(
      changes.name !== undefined ? 'Column renamed' : 'WIP limit saved',
      this.#store.change(intent, async () => (await api.updateColumn(this.#boardId, columnId, changes)).revision),
    );
  }

  moveColumn(columnId: string, anchor: { beforeColumnId?: string; afterColumnId?: string }): Promise<number | null> {
    return this.#tracked(
      'Column moved',
      this.#store.change(
        { type: 'MoveColumn', data: { columnId, beforeId: anchor.beforeColumnId, afterId: anchor.afterColumnId } },
        async () => (await api.updateColumn(this.#boardId, columnId, anchor)).revision,
      ),
    );
  }

  removeColumn(columnId: string): Promise<number | null> {
    return this.#tracked(
      'Column deleted',
      this.#store.change(
        { type: 'RemoveColumn', data: { columnId } },
        async () => (await api.removeColumn(this.#boardId, columnId)).revision,
      ),
    );
  }

  renameBoard(name: string): Promise<number | null> {
    return this.#tracked(
      'Board renamed',
      this.#store.change(
        { type: 'RenameBoard', data: { name } },
        async () => (await api.updateBoard(this.#boardId, { name })).revision,
      ),
    );
  }
}
