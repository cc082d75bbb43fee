import {
  boardStateFromView,
  decide,
  evolve,
  foldBoard,
  initialBoardState,
  type BoardCommand,
  type BoardState,
  type BoardViewDto,
  type Column,
  type ColumnTasksPageDto,
  type CommentDto,
  type Envelope,
  type RecordedBoardEvent,
  type Role,
  type Task,
  type TaskDto,
} from '@primetrade/domain';
import {
  countsOf,
  hasMore,
  noPaging,
  pagingAfterEvents,
  pagingAfterOne,
  pagingAfterPage,
  pagingOfView,
  taskOf,
  tasksAtRevision,
  type Paging,
} from './columnPages.js';

/** Where missed events come from: `GET /boards/:boardId/events?after=<revision>`. */
export interface EventFeed {
  eventsAfter(revision: number): Promise<{ readonly events: readonly Envelope[]; readonly revision: number }>;
}

/** A command as the client states it; time and actor are added here, as the server does. */
export type Intent = {
  [K in BoardCommand['type']]: Omit<Extract<BoardCommand, { type: K }>, 'metadata'>;
}[BoardCommand['type']];

interface PendingChange {
  readonly id: number;
  /** The events `decide` predicts for the intent on the state it was made on. */
  readonly events: readonly RecordedBoardEvent[];
  /** The board revision the server answered with; the change is dropped once the board reaches it. */
  readonly settledAt: number | null;
}

export interface BoardStoreOptions {
  readonly feed: EventFeed;
  readonly me: () => string;
  readonly now?: () => Date;
  /** How long a settled change may wait for its pushed events before the store fetches them. */
  readonly settleWaitMs?: number;
}

const byPosition = (a: { position: string }, b: { position: string }) =>
  a.position < b.position ? -1 : a.position > b.position ? 1 : 0;

/**
 * One board as this client sees it: the confirmed state, folded with the domain's own `evolve`
 * from the REST view plus every event in revision order, and on top of it the changes this client
 * made that the server has not confirmed yet (docs/api.md client rule).
 */
export class BoardStore {
  #confirmed = $state.raw<BoardState>(initialBoardState);
  #pending = $state.raw<readonly PendingChange[]>([]);
  /** The columns read only in part (docs/adr/0023-big-boards-column-pages.md); empty when the whole board is loaded. */
  #paging = $state.raw<Paging>(noPaging);
  #whole = $state(false);
  #loadingColumns = $state.raw<ReadonlySet<string>>(new Set());
  #catchingUp: Promise<void> | null = null;
  #nextChangeId = 0;
  #options: BoardStoreOptions;

  /** What the page shows: confirmed state with pending changes applied. */
  readonly state: BoardState = $derived(this.#withPending());
  readonly revision = $derived(this.#confirmed.status === 'initial' ? -1 : this.#confirmed.revision);
  readonly loaded = $derived(this.#confirmed.status !== 'initial');
  readonly columns: readonly Column[] = $derived(
    this.state.status === 'initial' ? [] : Object.values(this.state.columns).sort(byPosition),
  );
  /** Every task (archived included) per column id, in position order. */
  readonly tasksByColumn: ReadonlyMap<string, readonly Task[]> = $derived(this.#groupTasks());
  readonly myRole: Role | null = $derived(
    this.state.status === 'initial' ? null : (this.state.members[this.#me()]?.role ?? null),
  );
  readonly canEdit = $derived(this.state.status === 'active' && (this.myRole === 'editor' || this.myRole === 'owner'));
  readonly pendingCount = $derived(this.#pending.length);
  /** True when the store was loaded from a whole view: every task, archived ones included. */
  readonly complete = $derived(this.#whole);
  /** Non-archived tasks per column: the loaded ones plus the count not loaded yet (what the WIP limit counts). */
  readonly columnCounts: ReadonlyMap<string, number> = $derived(countsOf(this.tasksByColumn, this.#paging));

  constructor(options: BoardStoreOptions) {
    this.#options = options;
  }

  /** Starts from the REST view; changes still in flight stay on top. */
  load(view: BoardViewDto): void {
    this.#confirmed = boardStateFromView(view);
    this.#paging = pagingOfView(view);
    this.#whole = view.columnPages === undefined;
    this.#dropSettled();
  }

  /** True while the column holds tasks after the loaded ones. */
  hasMore(columnId: string): boolean {
    return hasMore(this.#paging.get(columnId));
  }
  isLoadingMore(columnId: string): boolean {
    return this.#loadingColumns.has(columnId);
  }

  /**
   * Loads the column's next page (one request per column at a time). Tasks the store already holds
   * are skipped: its own copy is the one the events keep current.
   */
  async loadMore(
    columnId: string,
    fetchPage: (cursor: string | undefined) => Promise<ColumnTasksPageDto>,
  ): Promise<void> {
    const from = this.#paging.get(columnId);
    if (from === undefined || !hasMore(from) || this.#loadingColumns.has(columnId)) return;
    this.#loadingColumns = new Set(this.#loadingColumns).add(columnId);
    try {
      const page = await fetchPage(from.restart ? undefined : (from.cursor ?? undefined));
      const added = await this.#merge(page.items, page.revision);
      const inColumn = added.filter((task) => task.columnId === columnId && !task.archived).length;
      this.#paging = pagingAfterPage(this.#paging, columnId, from, page, inColumn);
    } finally {
      const loading = new Set(this.#loadingColumns);
      loading.delete(columnId);
      this.#loadingColumns = loading;
    }
  }
  /** One task read on its own (opened by its link while its column is not loaded that far). */
  async mergeTask(task: TaskDto, revision: number): Promise<void> {
    const [added] = await this.#merge([task], revision);
    if (added !== undefined) this.#paging = pagingAfterOne(this.#paging, added);
  }

  /**
   * Applies pushed or fetched events: `revision === mine + 1` is applied, `<= mine` ignored, and a
   * gap stops the batch and fetches what is missing. Returns false when a gap was found.
   */
  applyEvents(events: readonly Envelope[]): boolean {
    const sorted = [...events].sort((a, b) => a.revision - b.revision);
    const next: Envelope[] = [];
    let expected = this.revision + 1;
    let gap = false;
    for (const event of sorted) {
      if (event.revision < expected) continue;
      if (event.revision > expected) {
        gap = true;
        break;
      }
      next.push(event);
      expected++;
    }
    if (next.length > 0 && this.#confirmed.status !== 'initial') {
      const before = this.#confirmed.tasks;
      const created = new Set(next.flatMap((event) => (event.type === 'TaskCreated' ? [event.data.taskId] : [])));
      this.#paging = pagingAfterEvents(this.#paging, next, (id) => before[id] !== undefined || created.has(id));
      this.#confirmed =
        next.length === 1 && next[0] ? evolve(this.#confirmed, next[0]) : foldBoard(next, this.#confirmed);
      this.#dropSettled();
    }
    if (gap) void this.catchUp().catch(() => undefined);
    return !gap;
  }

  /** Fetches every event after my revision until the feed has no more (one fetch at a time). */
  catchUp(): Promise<void> {
    this.#catchingUp ??= this.#fetchMissing().finally(() => {
      this.#catchingUp = null;
    });
    return this.#catchingUp;
  }

  async #fetchMissing(): Promise<void> {
    for (;;) {
      const before = this.revision;
      const { events } = await this.#options.feed.eventsAfter(before);
      if (events.length === 0) return;
      this.applyEvents(events);
      if (this.revision === before) return; // nothing usable arrived; the feed is not ahead of us
    }
  }

  /**
   * Makes a change optimistically: the state shows `decide`'s prediction at once; `send` performs
   * it and answers the revision the server reached. A refusal removes the prediction (the state
   * rolls back by itself, being derived) and rethrows. Resolves to the revision the change reached.
   */
  async change(intent: Intent, send: () => Promise<number | null>): Promise<number | null> {
    const change: PendingChange = { id: ++this.#nextChangeId, events: this.#predict(intent), settledAt: null };
    this.#pending = [...this.#pending, change];
    let revision: number | null;
    try {
      revision = await send();
    } catch (error) {
      this.#pending = this.#pending.filter((item) => item.id !== change.id);
      throw error;
    }
    this.#settle(change.id, revision);
    // Nothing predicted means nothing changed (a no-op answers the board's current revision,
    // which is somebody else's change): there is nothing of mine to undo.
    return change.events.length === 0 ? null : revision;
  }

  /** True while `taskId` exists only as a prediction (a card created here, not yet confirmed). */
  isPredicted(taskId: string): boolean {
    return this.#confirmed.status !== 'initial' && this.#confirmed.tasks[taskId] === undefined;
  }

  /** Comments are not in the board view: the task panel loads them and the fold keeps them current. */
  mergeComments(taskId: string, comments: readonly CommentDto[]): void {
    const board = this.#confirmed;
    if (board.status === 'initial') return;
    const task = board.tasks[taskId];
    if (task === undefined) return;
    const loaded = Object.fromEntries(comments.map(({ taskId: _taskId, ...comment }) => [comment.id, comment]));
    const merged = { ...loaded, ...task.comments };
    this.#confirmed = { ...board, tasks: { ...board.tasks, [taskId]: { ...task, comments: merged } } };
  }

  // A method, not a field read: field initializers ($derived) run before the constructor body.
  #me(): string {
    return this.#options.me();
  }

  #predict(intent: Intent): RecordedBoardEvent[] {
    const now = (this.#options.now ?? (() => new Date()))().toISOString();
    const actorId = this.#options.me();
    try {
      const events = decide({ ...intent, metadata: { now, actorId } }, this.state);
      return events.map((event) => ({ ...event, revision: this.revision, occurredAt: now, actorId }));
    } catch {
      return []; // the server will refuse it too, with its own message: nothing to predict
    }
  }

  #settle(changeId: number, revision: number | null): void {
    if (revision === null || revision <= this.revision) {
      this.#pending = this.#pending.filter((item) => item.id !== changeId);
      return;
    }
    this.#pending = this.#pending.map((item) => (item.id === changeId ? { ...item, settledAt: revision } : item));
    // The push normally arrives first; if it does not, fetch rather than show a stale board.
    setTimeout(() => {
      if (this.revision < revision) void this.catchUp().catch(() => undefined);
    }, this.#options.settleWaitMs ?? 300);
  }

  #dropSettled(): void {
    const reached = this.revision;
    if (this.#pending.some((item) => item.settledAt !== null && item.settledAt <= reached)) {
      this.#pending = this.#pending.filter((item) => item.settledAt === null || item.settledAt > reached);
    }
  }

  #withPending(): BoardState {
    let state = this.#confirmed;
    for (const change of this.#pending) for (const event of change.events) state = evolve(state, event);
    return state;
  }

  /** Adds tasks the store does not hold, brought to its revision when read at an older one (ADR 0023). */
  async #merge(tasks: readonly TaskDto[], revision: number): Promise<Task[]> {
    const has = (id: string) => this.#confirmed.status !== 'initial' && this.#confirmed.tasks[id] !== undefined;
    let fresh = tasks.filter((task) => !has(task.id)).map(taskOf);
    // Again while events arrive during the fetch: those were applied without these tasks.
    for (let at = revision; fresh.length > 0 && at < this.revision && this.#confirmed.status !== 'initial';) {
      const target = this.revision;
      fresh = await tasksAtRevision(this.#confirmed, fresh, at, target, this.#options.feed);
      at = target;
    }
    const board = this.#confirmed;
    if (board.status === 'initial' || fresh.length === 0) return [];
    fresh = fresh.filter((task) => board.tasks[task.id] === undefined);
    this.#confirmed = { ...board, tasks: { ...board.tasks, ...Object.fromEntries(fresh.map((t) => [t.id, t])) } };
    return fresh;
  }

  #groupTasks(): ReadonlyMap<string, readonly Task[]> {
    const groups = new Map<string, Task[]>();
    if (this.state.status === 'initial') return groups;
    for (const column of Object.keys(this.state.columns)) groups.set(column, []);
    for (const task of Object.values(this.state.tasks)) groups.get(task.columnId)?.push(task);
    for (const tasks of groups.values()) tasks.sort(byPosition);
    return groups;
  }
}
