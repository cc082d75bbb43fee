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
  type CommentDto,
  type Envelope,
  type RecordedBoardEvent,
  type Role,
  type Task,
} from '@primetrade/domain';

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

  constructor(options: BoardStoreOptions) {
    this.#options = options;
  }

  /** Starts from the REST view; changes still in flight stay on top. */
  load(view: BoardViewDto): void {
    this.#confirmed = boardStateFromView(view);
    this.#dropSettled();
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

  #groupTasks(): ReadonlyMap<string, readonly Task[]> {
    const groups = new Map<string, Task[]>();
    if (this.state.status === 'initial') return groups;
    for (const column of Object.keys(this.state.columns)) groups.set(column, []);
    for (const task of Object.values(this.state.tasks)) groups.get(task.columnId)?.push(task);
    for (const tasks of groups.values()) tasks.sort(byPosition);
    return groups;
  }
}
