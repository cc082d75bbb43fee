import { randomBytes } from 'node:crypto';
import { boardStreamPrefix, type Envelope } from '@primetrade/domain';
import { toEnvelope, type EventStore, type Position, type Sql, type StoredEvent } from '@primetrade/platform';
import {
  assertSameColumns,
  createDeferredIndexes,
  createReadModelSchema,
  liveReadModelSchema,
  quoteIdent,
} from '@primetrade/read-model';
import { applyInTransaction, type ProjectEvents } from './applyBatch.js';
import { silentLogger, type ProjectorLogger } from './logging.js';
import { projectEvents } from './projections/index.js';
import { openBulkFeed } from './rebuild/bulkFeed.js';

/**
 * The rebuild's first half: a replay of the store's board streams into a fresh schema of its own,
 * a few set-based statements per batch, spread over concurrent transactions by board: first board
 * by board up to a fixed end of the feed (`bulkLoad`, ADR 0031), then in feed order from there
 * (`catchUp`). rebuild.ts switches to it.
 */
export interface RebuildProgress {
  /** `replaying` the store, `indexing` (the indexes the replay left out), or `switching` (once per attempt). */
  readonly phase: 'replaying' | 'indexing' | 'switching';
  /** Events replayed so far. */
  readonly events: number;
  /**
   * Store position of the last event replayed in feed order; null before the first. While the bulk
   * load runs (board by board, ADR 0031) it stays null, then it is the load's fixed end.
   */
  readonly position: Position | null;
}

export interface FoldOptions {
  readonly sql: Sql;
  readonly store: EventStore;
  readonly logger?: ProjectorLogger;
  /** Events read from the store and applied per transaction. Default 5000. */
  readonly batchSize?: number;
  /**
   * Transactions applying one batch at once, boards split between them (a board's events stay in
   * one, in order). Default 2 on PostgreSQL; PGlite has one connection, so 1.
   */
  readonly concurrency?: number;
  /**
   * Reads the store board by board up to a fixed end first, when the store can (`EventStore.bulk`:
   * PostgreSQL and PGlite), then catches up in feed order (docs/adr/0031-bulk-rebuild.md). Default true;
   * false replays the whole feed in order, batch by batch.
   */
  readonly bulk?: boolean;
  /** Events per chunk of the board-by-board read (one batch of the projections). Default 2500. */
  readonly chunkSize?: number;
  /** Awaited after every batch and before each switch attempt; keep it quick. */
  readonly onProgress?: (progress: RebuildProgress) => void | Promise<void>;
}

export interface FoldedReadModels {
  /** The schema holding the fold; the caller owns it. */
  readonly schema: string;
  readonly events: number;
  readonly position: Position | null;
  drop(): Promise<void>;
}

/**
 * A full fold of the store's board streams into a new schema of its own, complete with every
 * index, left in place: what a rebuild switches to, and what a check compares the live read
 * models with (`compareReadModels`). The live tables are not touched.
 */
export async function foldReadModels(options: FoldOptions): Promise<FoldedReadModels> {
  const replay = await startReplay(options);
  try {
    await replay.bulkLoad();
    await replay.catchUp();
    await replay.buildDeferredIndexes();
    await replay.catchUp();
  } catch (error) {
    await replay.drop();
    throw error;
  }
  return { schema: replay.schema, events: replay.events, position: replay.position, drop: replay.drop };
}

export interface Replay {
  readonly sql: Sql;
  readonly logger: ProjectorLogger;
  readonly schema: string;
  readonly live: string;
  readonly events: number;
  readonly position: Position | null;
  /**
   * From an empty schema: every board event up to a fixed end of the feed, board by board, when the
   * store offers bulk reads and the options allow (else nothing); `position` is that end after it.
   */
  bulkLoad(): Promise<number>;
  /** Replays everything the store has after `position`; returns how many events that was. */
  catchUp(): Promise<number>;
  /** Polls the store until it has an event after `position` (true) or `timeoutMs` passed (false). */
  awaitNewEvents(timeoutMs: number): Promise<boolean>;
  buildDeferredIndexes(): Promise<void>;
  progress(phase: RebuildProgress['phase']): Promise<void>;
  readonly drop: () => Promise<void>;
}

/** The rebuild's writes: the live projections, set-based per batch, without notifications. */
const projectReadModels: ProjectEvents = projectEvents;

/** FNV-1a: spreads boards over the concurrent transactions; a board always lands in the same one. */
function lane(boardId: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < boardId.length; i += 1) hash = Math.imul(hash ^ boardId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % lanes;
}

export async function startReplay(options: FoldOptions): Promise<Replay> {
  const { sql, store } = options;
  const logger = options.logger ?? silentLogger;
  const batchSize = options.batchSize ?? 5_000;
  const chunkSize = options.chunkSize ?? 2_500;
  const lanes = sql.kind === 'pglite' ? 1 : Math.max(1, Math.floor(options.concurrency ?? 2));
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const live = await liveReadModelSchema(sql);
  const schema = `read_models_rebuild_${randomBytes(6).toString('hex')}`;
  let events = 0;
  let position: Position | null = null;
  let dropped = false;

  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await sql.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).catch((error: unknown) => {
      logger.warn({ err: error, schema }, 'could not drop the rebuild schema; drop it by hand');
    });
  };

  const applyLane = async (batch: readonly Envelope[]) => {
    const result = await sql.tx(async (tx) => {
      // Asynchronous commit: the fresh schema is read by nobody until the switch, whose synchronous
      // commit flushes all the WAL written before it; a crash before then loses the rebuild, not data.
      await tx.exec(`SET LOCAL search_path TO ${quoteIdent(schema)}; SET LOCAL synchronous_commit = off`);
      return applyInTransaction(tx, batch, projectReadModels);
    });
    // The fresh tables start empty and the feed has each event once: a skip means the store repeated one.
    if (result.skipped > 0)
      logger.warn({ skipped: result.skipped, schema }, 'the store returned events the rebuild had replayed already');
  };

  async function apply(stored: readonly StoredEvent[]): Promise<void> {
    const envelopes = stored.map(toEnvelope);
    if (lanes === 1) {
      await applyLane(envelopes);
    } else {
      const split: Envelope[][] = Array.from({ length: lanes }, () => []);
      for (const event of envelopes) split[lane(event.boardId, lanes)]!.push(event);
      // Settled, not raced: a failed lane must not leave its sibling writing while the schema is dropped.
      const results = await Promise.allSettled(split.filter((part) => part.length > 0).map(applyLane));
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  const replay: Replay = {
    sql,
    logger,
    schema,
    live,
    drop,
    get events() {
      return events;
    },
    get position() {
      return position;
    },
    async progress(phase) {
      logger.info({ phase, events, position, schema }, 'rebuild progress');
      await options.onProgress?.({ phase, events, position });
    },
    async catchUp() {
      const read = (after: Position | null) =>
        store.readAll({ after, streamPrefix: boardStreamPrefix, maxCount: batchSize });
      let replayed = 0;
      // The next batch is read while this one is written.
      let next: Promise<StoredEvent[]> | null = read(position);
      while (next) {
        const batch: StoredEvent[] = await next;
        const last = batch[batch.length - 1];
        if (!last) break;
        next = batch.length === batchSize ? read(last.position) : null;
        try {
          await apply(batch);
          events += batch.length;
          replayed += batch.length;
          position = last.position;
          await replay.progress('replaying');
        } catch (error) {
          await next?.catch(() => undefined);
          throw error;
        }
      }
      return replayed;
    },
    async bulkLoad() {
      if (options.bulk === false || !store.bulk || position !== null) return 0;
      const feed = await openBulkFeed(store.bulk, boardStreamPrefix, chunkSize);
      // Up to `lanes` chunks in flight, one transaction each: while the server writes one, this
      // process folds the next (their boards are disjoint: bulkFeed.ts).
      const inFlight = new Set<Promise<void>>();
      let failure: { error: unknown } | null = null;
      let loaded = 0;
      let previous: StoredEvent | undefined;
      for await (const chunk of feed.chunks()) {
        // A board's next part (a board longer than a chunk) goes only once its earlier parts committed.
        const limit = chunk[0]?.streamId === previous?.streamId ? 1 : lanes;
        previous = chunk.at(-1);
        while (inFlight.size >= limit && !failure) await Promise.race(inFlight);
        if (failure) break;
        const applying: Promise<void> = applyLane(chunk.map(toEnvelope))
          .then(async () => {
            events += chunk.length;
            loaded += chunk.length;
            await replay.progress('replaying');
          })
          .catch((error: unknown) => {
            failure ??= { error };
          })
          .finally(() => inFlight.delete(applying));
        inFlight.add(applying);
      }
      // Settled, not raced: a failed chunk must not leave another writing while the schema is dropped.
      await Promise.all(inFlight);
      if (failure) throw (failure as { error: unknown }).error;
      position = feed.end;
      return loaded;
    },
    async awaitNewEvents(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      do {
        const [next] = await store.readAll({ after: position, streamPrefix: boardStreamPrefix, maxCount: 1 });
        if (next) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      } while (Date.now() < deadline);
      return false;
    },
    async buildDeferredIndexes() {
      await replay.progress('indexing');
      await createDeferredIndexes(sql, schema);
    },
  };

  logger.info({ schema, live, batchSize, concurrency: lanes }, 'rebuild starting');
  try {
    await createReadModelSchema(sql, schema);
    await assertSameColumns(sql, live, schema);
  } catch (error) {
    await drop();
    throw error;
  }
  return replay;
}
