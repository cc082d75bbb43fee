import { GraphQLError } from 'graphql';
import type { Envelope, ErrorCode } from '@primetrade/domain';
import type { Logger } from '@primetrade/platform';
import type { StoredBoards } from '@primetrade/read-model';
import { groupByBoard } from './fanout.js';
import { parseJoin } from './payloads.js';
import { admit, type MembershipQueries } from './rooms.js';

type Listener = (events: readonly Envelope[]) => void;

/** This node's followers of boards (GraphQL `boardEvents`), fed every bus batch any node consumed for them. */
export interface BoardFeeds {
  listen(boardId: string, listener: Listener): () => void;
  /**
   * Resolves once every node will hand this node the board's events it consumes (at once on one
   * node): a follow reads the store only after it, so an event no node forwarded is in what it reads.
   */
  listening(boardId: string): Promise<void>;
  /** Hands each board's events (ascending, one per revision) to its followers; nothing to do for other boards. */
  deliver(events: readonly Envelope[]): void;
}

/** Tells the other nodes which boards this node follows (`graphqlInterest.ts`); none on one node. */
export interface BoardInterest {
  /** This node follows `boardId` now; resolves once the other nodes know (or could not be asked). */
  follow(boardId: string): Promise<void>;
  /** This node follows `boardId` no more. */
  unfollow(boardId: string): void;
}

export function createBoardFeeds(interest?: BoardInterest): BoardFeeds {
  const listeners = new Map<string, Set<Listener>>();
  const announced = new Map<string, Promise<void>>();
  return {
    listen(boardId, listener) {
      let set = listeners.get(boardId);
      if (!set) {
        listeners.set(boardId, (set = new Set<Listener>()));
        if (interest) announced.set(boardId, interest.follow(boardId));
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size > 0 || listeners.get(boardId) !== set) return;
        listeners.delete(boardId);
        announced.delete(boardId);
        interest?.unfollow(boardId);
      };
    },
    listening: (boardId) => announced.get(boardId) ?? Promise.resolve(),
    deliver(events) {
      if (listeners.size === 0) return;
      for (const [boardId, batch] of groupByBoard(events)) {
        for (const listener of listeners.get(boardId) ?? []) listener(batch);
      }
    },
  };
}

export interface FollowDeps {
  readonly feeds: BoardFeeds;
  readonly storedBoards: StoredBoards;
  readonly membership: MembershipQueries;
  readonly logger: Logger;
  readonly isActive?: (userId: string) => Promise<boolean>;
}

const refusal = (code: ErrorCode, message: string) => new GraphQLError(message, { extensions: { code } });

/** Events read from the store per look (catch-up and gaps); the next page waits until the client took this one. */
export const catchUpPage = 500;
/** Live events a follow may hold for a client that does not take them; past this it ends (SERVICE.UNAVAILABLE). */
export const maxBehind = 10_000;

/**
 * `subscription { boardEvents(boardId, afterRevision) }` (docs/adr/0028-graphql-endpoint.md): the
 * `board:join` decision, then the board's stream after `afterRevision` (or from now), then the live
 * events, in revision order, each once; a gap in the live events is read from the store. A removal of
 * the follower ends it after delivering the removal. Refusals are GraphQL errors with `extensions.code`.
 */
export async function followBoard(
  deps: FollowDeps,
  userId: string,
  /** `{ boardId, afterRevision? }` as a client sent it. */
  payload: unknown,
): Promise<AsyncIterableIterator<Envelope>> {
  const parsed = parseJoin(payload);
  if (!parsed.ok) throw refusal('VALIDATION.FAILED', parsed.message);
  const { boardId, afterRevision } = parsed.value;
  if (deps.isActive && !(await deps.isActive(userId)))
    throw refusal('AUTH.ACCOUNT_DISABLED', 'This account is disabled');
  // Listening before the decision and the revision read: nothing committed after them can be missed.
  const follow = new BoardFollow(deps, userId, boardId);
  try {
    // And every other node forwards this board's events before anything is read from the store.
    await deps.feeds.listening(boardId);
    // Read before the decision: a removal committed after it is then delivered, and ends the follow.
    const from = afterRevision ?? (await deps.storedBoards.revision(boardId));
    // Non-members learn nothing, not even that the board exists (as `board:join`).
    if ((await admit(deps, boardId, userId, afterRevision)) === null)
      throw refusal('BOARD.NOT_FOUND', 'Board not found');
    follow.start(from);
    return follow;
  } catch (error) {
    await follow.return();
    throw error;
  }
}

class BoardFollow implements AsyncIterableIterator<Envelope> {
  readonly #ready: Envelope[] = [];
  #held: Envelope[] = [];
  /** Events after a removal of the follower, delivered only if it is added back in the same look. */
  #afterRemoval: Envelope[] | null = null;
  #waiter: { resolve: (result: IteratorResult<Envelope>) => void; reject: (error: unknown) => void } | null = null;
  #last = -1;
  #started = false;
  #caughtUp = false;
  #ending = false;
  #failure: Error | null = null;
  #work: Promise<void> = Promise.resolve();
  /** Resolves a catch-up waiting for the client to take what it has read. */
  #space: (() => void) | null = null;
  readonly #unlisten: () => void;

  constructor(
    private readonly deps: FollowDeps,
    private readonly userId: string,
    private readonly boardId: string,
  ) {
    this.#unlisten = deps.feeds.listen(boardId, (events) => {
      this.#held.push(...events);
      if (this.#held.length + this.#ready.length > maxBehind) {
        this.#failWith(
          refusal('SERVICE.UNAVAILABLE', 'This subscription fell too far behind; subscribe again with afterRevision'),
        );
        return;
      }
      if (this.#started) this.#schedule();
    });
  }

  start(after: number): void {
    this.#last = after;
    this.#started = true;
    this.#schedule();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Envelope> {
    return this;
  }

  next(): Promise<IteratorResult<Envelope>> {
    const event = this.#ready.shift();
    if (this.#ready.length < catchUpPage) this.#makeSpace();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.#failure !== null) {
      const failure = this.#failure;
      this.#failure = null;
      return Promise.reject(failure);
    }
    if (this.#ending) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }

  /** The client completed, disconnected or was refused: stop listening now, even while a store read runs. */
  async return(): Promise<IteratorResult<Envelope>> {
    this.#end();
    this.#ready.length = 0;
    this.#wake();
    return { value: undefined, done: true };
  }

  #schedule(): void {
    this.#work = this.#work.then(
      () => this.#place(),
      () => undefined,
    );
    this.#work.catch((error: unknown) => {
      this.deps.logger.error({ err: error, boardId: this.boardId }, 'realtime: boardEvents could not read the store');
      this.#failWith(
        refusal('SERVICE.UNAVAILABLE', 'Board events could not be read; subscribe again with afterRevision'),
      );
    });
  }

  #failWith(failure: Error): void {
    if (this.#ending) return;
    this.#failure = failure;
    this.#end();
    this.#wake();
  }

  /** 1. Catch up once, 2. place the live events held so far, reading any gap, 3. end on a removal that stands. */
  async #place(): Promise<void> {
    if (this.#ending) return;
    if (!this.#caughtUp) {
      await this.#fill();
      this.#caughtUp = true;
    }
    const live = groupByBoard(this.#held.splice(0)).get(this.boardId) ?? [];
    for (const event of live) {
      if (this.#ending) return;
      if (event.revision <= this.#last) continue;
      // A gap (a batch consumed before this follow listened, or lost between nodes): the store has it all.
      if (event.revision > this.#last + 1) await this.#fill();
      else this.#take([event]);
    }
    if (this.#afterRemoval !== null) {
      this.#end();
      this.#wake();
    }
  }

  /** Reads the stream after the last event taken, to its end, a page at a time as the client takes them. */
  async #fill(): Promise<void> {
    for (;;) {
      const page = await this.deps.storedBoards.eventsAfter(this.boardId, this.#last, catchUpPage);
      if (this.#ending) return;
      this.#take(page);
      if (page.length < catchUpPage) return;
      while (this.#ready.length >= catchUpPage && !this.#ending)
        await new Promise<void>((resolve) => (this.#space = resolve));
    }
  }

  #take(events: readonly Envelope[]): void {
    for (const event of events) {
      this.#last = event.revision;
      const mine =
        (event.type === 'MemberRemoved' || event.type === 'MemberAdded') && event.data.userId === this.userId;
      if (this.#afterRemoval === null) {
        this.#ready.push(event);
        if (mine && event.type === 'MemberRemoved') this.#afterRemoval = [];
      } else if (mine && event.type === 'MemberAdded') {
        this.#ready.push(...this.#afterRemoval, event);
        this.#afterRemoval = null;
      } else {
        this.#afterRemoval.push(event);
      }
    }
    this.#wake();
  }

  #end(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#unlisten();
    this.#held = [];
    this.#makeSpace();
  }

  #makeSpace(): void {
    const space = this.#space;
    this.#space = null;
    space?.();
  }

  #wake(): void {
    const waiter = this.#waiter;
    if (waiter === null) return;
    if (this.#ready.length === 0 && !this.#ending) return;
    this.#waiter = null;
    this.next().then(waiter.resolve, waiter.reject);
  }
}
