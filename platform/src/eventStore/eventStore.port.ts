/**
 * The event store port, docs/architecture.md. Revisions are 0-based per stream (EventStoreDB convention).
 * Adapters: PostgreSQL and PGlite (one implementation over `Sql`), EventStoreDB.
 * All of them pass the contract suite in `eventStore.contractSuite.ts`.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** Opaque, totally ordered, serialisable; compare only with the adapter's `comparePositions`. */
export type Position = string;

export interface EventToAppend {
  /** UUID; re-appending the same ids is idempotent. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface StoredEvent {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly revision: bigint;
  readonly position: Position;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** When the store recorded it. */
  readonly recordedAt: Date;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly nextExpectedRevision: bigint;
  /** Position of the last appended event. */
  readonly position: Position;
}

export interface ReadStreamOptions {
  readonly fromRevision?: bigint;
  readonly toRevision?: bigint;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive; omitted or null = from the start. */
  readonly after?: Position | null;
  readonly maxCount?: number;
  readonly streamPrefix?: string;
}

/** Where a bulk read by stream resumes: after this event in (stream id, revision) order. */
export interface StreamCursor {
  readonly streamId: string;
  readonly revision: bigint;
}

export interface ReadByStreamOptions {
  readonly streamPrefix: string;
  /** Inclusive: only events at or before this position (from `feedEnd`, so the set cannot grow). */
  readonly upTo: Position;
  /** Exclusive; null = from the first stream. */
  readonly after: StreamCursor | null;
  readonly maxCount: number;
}

/**
 * Optional bulk reads for a rebuild (docs/adr/0031-bulk-rebuild.md): a fixed end of the feed, then
 * every event up to it stream by stream, so a reader holds one stream's state at a time.
 */
export interface BulkReads {
  /** The position of the newest committed event under `streamPrefix` that no later commit can precede; null when none. */
  feedEnd(streamPrefix: string): Promise<Position | null>;
  /** Events at or before `upTo`, ordered by stream id then revision. */
  readByStream(options: ReadByStreamOptions): Promise<StoredEvent[]>;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface SubscribeToAllOptions extends ReadAllOptions {
  /** Called when the handler or the store fails; the subscription keeps retrying. */
  readonly onError?: (error: unknown) => void;
}

export interface EventStore {
  /**
   * Appends at least one event atomically. Re-appending a batch whose ids are all stored already, in
   * the same order at the place the expected revision implies, returns the original result and writes
   * nothing; a batch that only partly overlaps stored ids throws `DuplicateEventIdError`.
   */
  appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult>;
  /** Events in ascending revision; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Current last revision, or null when the stream does not exist. */
  streamRevision(streamId: string): Promise<bigint | null>;
  /** Committed events after `after`, in global order. */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /**
   * Catch-up then live, in global order; each batch is awaited before the next.
   * The handler sees every committed event after `after` exactly once per subscription.
   */
  subscribeToAll(
    options: SubscribeToAllOptions,
    handler: (events: readonly StoredEvent[]) => Promise<void>,
  ): Subscription;
  comparePositions(a: Position, b: Position): number;
  close(): Promise<void>;
  /** PostgreSQL and PGlite only (a rebuild without them replays `readAll`). */
  readonly bulk?: BulkReads;
}

export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Last revision in the stream, or 'no_stream'. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(`Wrong expected version on ${streamId}: expected ${String(expected)}, actual ${String(actual)}`);
  }
}

/** Some ids of the batch are stored already, but the batch is not an exact retry of an earlier append. */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(
    readonly streamId: string,
    readonly eventIds: readonly string[],
  ) {
    super(`Event ids already stored, and not as an exact retry, appending to ${streamId}: ${eventIds.join(', ')}`);
  }
}
