import type { Envelope, ErrorCode, JoinAck, PresenceUser } from '@primetrade/domain';
import { api } from './api.js';
import { BoardStore } from './board.svelte.js';
import { isApiError, type ApiError } from './problems.js';
import type { RealtimeSocket } from './socket.js';

/** `retrying`: the join was refused for a reason that may pass (the servers catching up); we try again. */
export type ConnectionState = 'connecting' | 'syncing' | 'live' | 'offline' | 'retrying' | 'refused';

/** Refusals that are the truth about this user and board; any other refusal may pass, so we retry. */
const finalRefusals: ReadonlySet<ErrorCode> = new Set([
  'BOARD.NOT_FOUND',
  'AUTH.FORBIDDEN',
  'AUTH.ACCOUNT_DISABLED',
  'VALIDATION.FAILED',
]);

export interface JoinBackoff {
  readonly firstMs: number;
  readonly maxMs: number;
  /** 0..1; the share of each delay that is random, so many clients do not retry in step. */
  readonly jitter: number;
}
const defaultBackoff: JoinBackoff = { firstMs: 250, maxMs: 5_000, jitter: 0.5 };

/**
 * Tasks per column in the first read and per page after it (docs/adr/0023-big-boards-column-pages.md):
 * a screen shows about ten cards a column, so the first read answers the first screen and more.
 */
export const columnPageSize = 100;

/** The delay before retry number `attempt` (0-based): doubling from `firstMs` up to `maxMs`, with jitter. */
export function joinRetryDelay(
  attempt: number,
  backoff: JoinBackoff = defaultBackoff,
  random: () => number = Math.random,
): number {
  const base = Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(attempt, 20));
  return Math.round(base * (1 - backoff.jitter + backoff.jitter * random()));
}

/**
 * A board kept live: loads the REST view, joins the board's room, applies pushed events by
 * revision, and after every (re)connect fetches what it missed (docs/api.md: no connection-state
 * recovery, this rule is what makes delivery whole). Also carries presence.
 */
export class LiveBoard {
  readonly store: BoardStore;
  #connection = $state<ConnectionState>('connecting');
  #presence = $state.raw<readonly PresenceUser[]>([]);
  #loadError = $state.raw<ApiError | null>(null);
  #names = $state.raw<Readonly<Record<string, string>>>({});
  #boardId: string;
  #socket: RealtimeSocket;
  #detach: (() => void) | null = null;
  #backoff: JoinBackoff;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #attempt = 0;
  #joining = false;
  #loadingWhole = $state(false);

  constructor(boardId: string, socket: RealtimeSocket, me: () => string, backoff: JoinBackoff = defaultBackoff) {
    this.#boardId = boardId;
    this.#socket = socket;
    this.#backoff = backoff;
    this.store = new BoardStore({
      me,
      feed: { eventsAfter: async (revision) => (await api.boardEvents(boardId, revision)).data },
    });
  }

  get connection(): ConnectionState {
    return this.#connection;
  }

  get presence(): readonly PresenceUser[] {
    return this.#presence;
  }

  get loadError(): ApiError | null {
    return this.#loadError;
  }

  /** True while the whole board is read for a filter or a search. */
  get loadingWhole(): boolean {
    return this.#loadingWhole;
  }

  /** The column's next page, as the column scrolls towards the end of what is loaded. */
  loadMore(columnId: string): Promise<void> {
    return this.store.loadMore(
      columnId,
      async (cursor) => (await api.columnTasks(this.#boardId, columnId, cursor, columnPageSize)).data,
    );
  }

  /**
   * Reads the whole board once (filters, search and archived tasks look at every task); the events
   * after its revision are caught up. Nothing to do when the store already holds it all.
   */
  async loadWhole(): Promise<void> {
    if (this.store.complete || this.#loadingWhole) return;
    this.#loadingWhole = true;
    try {
      this.store.load((await api.getBoard(this.#boardId)).data);
      await this.store.catchUp();
    } finally {
      this.#loadingWhole = false;
    }
  }

  /**
   * A task the loaded pages do not hold that moved or was restored into view is read on its own
   * (a few at most per push): the store knows its id, not its fields.
   */
  #fetchArrivals(events: readonly Envelope[]): void {
    if (this.store.complete) return;
    const arrived = events.flatMap((event) =>
      event.type === 'TaskMoved' || event.type === 'TaskRestored' ? [event.data.taskId] : [],
    );
    for (const taskId of arrived.slice(0, 10)) void this.ensureTask(taskId).catch(() => undefined);
  }

  /** A task opened by its link that the loaded pages do not hold yet. */
  async ensureTask(taskId: string): Promise<void> {
    if (this.store.complete || this.store.state.status === 'initial' || this.store.state.tasks[taskId]) return;
    const { data, revision } = await api.getTask(taskId);
    if (data.boardId === this.#boardId) await this.store.mergeTask(data, revision ?? this.store.revision);
  }

  /** Display names: events carry only user ids (docs/architecture.md), the view and presence carry names. */
  nameOf(userId: string): string {
    return this.#names[userId] || `Member ${userId.slice(0, 4)}`;
  }

  /** Loads the board, then follows it; the listeners are attached first so nothing is missed. */
  async start(): Promise<void> {
    this.#detach = this.#listen();
    try {
      const view = (await api.getBoard(this.#boardId, columnPageSize)).data;
      performance.mark('board:view-received');
      this.#names = Object.fromEntries(view.members.map((member) => [member.userId, member.name]));
      this.store.load(view);
      performance.mark('board:state-ready');
    } catch (error) {
      if (isApiError(error)) this.#loadError = error;
      else throw error;
      return;
    }
    if (this.#socket.connected) await this.#join();
  }

  stop(): void {
    this.#cancelRetry();
    this.#detach?.();
    this.#detach = null;
    if (this.#socket.connected) this.#socket.emit('board:leave', { boardId: this.#boardId });
  }

  /** Tells the others which task I look at and whether I am editing it. */
  focus(taskId: string | null, editing: boolean): void {
    if (this.#socket.connected) this.#socket.emit('presence:update', { boardId: this.#boardId, taskId, editing });
  }

  #listen(): () => void {
    const onConnect = () => {
      this.#cancelRetry();
      this.#attempt = 0;
      void this.#join();
    };
    const onDisconnect = () => {
      // The next connect joins again; a retry pending now would only race it.
      this.#cancelRetry();
      this.#connection = 'offline';
      this.#presence = [];
    };
    const onEvents = ({ boardId, events }: { boardId: string; events: Envelope[] }) => {
      if (boardId !== this.#boardId || !this.store.loaded) return;
      this.store.applyEvents(events);
      this.#fetchArrivals(events);
      if (events.some((event) => event.type === 'MemberAdded' && this.#names[event.data.userId] === undefined)) {
        void this.#refreshNames();
      }
    };
    const onPresence = ({ boardId, users }: { boardId: string; users: PresenceUser[] }) => {
      if (boardId !== this.#boardId) return;
      this.#presence = users;
      if (users.some((user) => this.#names[user.userId] !== user.name)) {
        this.#names = { ...this.#names, ...Object.fromEntries(users.map((user) => [user.userId, user.name])) };
      }
    };
    this.#socket.on('connect', onConnect);
    this.#socket.on('disconnect', onDisconnect);
    this.#socket.on('board:events', onEvents);
    this.#socket.on('presence', onPresence);
    return () => {
      this.#socket.off('connect', onConnect);
      this.#socket.off('disconnect', onDisconnect);
      this.#socket.off('board:events', onEvents);
      this.#socket.off('presence', onPresence);
    };
  }

  async #refreshNames(): Promise<void> {
    try {
      const { members } = (await api.getBoard(this.#boardId, 1)).data;
      this.#names = { ...this.#names, ...Object.fromEntries(members.map((member) => [member.userId, member.name])) };
    } catch {
      // names are cosmetic: keep the fallback
    }
  }

  async #join(): Promise<void> {
    if (!this.store.loaded || this.#joining || this.#detach === null) return;
    this.#joining = true;
    if (this.#connection !== 'retrying') this.#connection = 'syncing';
    try {
      // socket.io's timeout() typing loses the ack type: the contract says JoinAck.
      const ack = (await this.#socket
        .timeout(10_000)
        .emitWithAck('board:join', { boardId: this.#boardId, afterRevision: this.store.revision })) as JoinAck;
      if (!ack.ok) {
        // Only the server's authoritative "no" is final; anything else may pass (docs/consistency.md).
        if (finalRefusals.has(ack.code)) this.#connection = 'refused';
        else this.#scheduleRetry();
        return;
      }
      await this.store.catchUp();
      this.#attempt = 0;
      if (this.#socket.connected) this.#connection = 'live';
    } catch {
      // The ack timed out or the catch-up failed: try again while connected; a reconnect joins anyway.
      this.#scheduleRetry();
    } finally {
      this.#joining = false;
    }
  }

  #scheduleRetry(): void {
    if (!this.#socket.connected || this.#detach === null) {
      this.#connection = 'offline';
      return;
    }
    this.#connection = 'retrying';
    this.#cancelRetry();
    const delay = joinRetryDelay(this.#attempt, this.#backoff);
    this.#attempt += 1;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.#join();
    }, delay);
  }

  #cancelRetry(): void {
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
  }
}
