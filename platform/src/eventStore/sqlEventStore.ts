import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { Sql, SqlQueryable } from '../sql/sql.port.js';
import { DuplicateEventIdError, WrongExpectedVersionError } from './eventStore.port.js';
import type { AppendResult, EventStore, EventToAppend, ExpectedRevision, Position, ReadAllOptions, StoredEvent, Subscription } from './eventStore.port.js';
import { assertAppendable, assertExpectedRevision, matchRetriedBatch } from './idempotency.js';
import type { StoredIdLocation } from './idempotency.js';
import { comparePositions, decodePosition, encodePosition, startPosition } from './position.js';
import { createFeedWatchdog } from './feedWatchdog.js';
import { ensureSchema, schemaIdentifier } from './sqlEventStore.schema.js';
import { assertRebased } from './txidRebase.js';
import { createWakeup, runSubscriptionLoop } from './subscriptionLoop.js';
import type { Wakeup } from './subscriptionLoop.js';
import type { AppendTestHooks } from './testHooks.js';

export interface SqlEventStoreOptions {
  /** Where the `streams` and `events` tables live. Default `event_store`. */
  readonly schema?: string;
  /** NOTIFY channel sent by every append. Default `<schema>_appended`. */
  readonly notifyChannel?: string;
  /** Subscriptions poll this often when no NOTIFY arrives (lost connection, long transactions). Default 250. */
  readonly pollIntervalMs?: number;
  /**
   * After a wake-up whose read found nothing (an older transaction anywhere on the server still
   * holds xmin back), look again after this, then twice as long each time, up to the poll interval.
   * Default 1 (docs/adr/0016).
   */
  readonly recheckAfterEmptyWakeMs?: number;
  /** Events per subscription batch. Default 500. */
  readonly batchSize?: number;
  readonly logger?: Logger;
  readonly metrics?: Pick<Metrics, 'appendDuration'>;
  /** @internal Test-only (fault suite), see `testHooks.ts`. */
  readonly testHooks?: AppendTestHooks;
}

interface EventRow {
  readonly transaction_id: string;
  readonly global_position: string;
  readonly stream_id: string;
  readonly revision: string;
  readonly event_id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
  readonly recorded_at: Date;
}

// Output names shadow the columns in ORDER BY, so every ORDER BY below names `e.` explicitly.
const eventColumns =
  'e.transaction_id::text AS transaction_id, e.global_position::text AS global_position, e.stream_id, e.revision::text AS revision, e.event_id::text AS event_id, e.type, e.data, e.metadata, e.recorded_at';

const toStoredEvent = (row: EventRow): StoredEvent => ({
  id: row.event_id,
  streamId: row.stream_id,
  type: row.type,
  revision: BigInt(row.revision),
  position: encodePosition(BigInt(row.transaction_id), BigInt(row.global_position)),
  data: row.data,
  metadata: row.metadata,
  recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
});

const toPayload = (events: readonly EventToAppend[]) =>
  events.map((event) => ({ id: event.id, type: event.type, data: event.data ?? null, metadata: event.metadata }));

/** The last inserted row; throws (rolling back) if positions do not follow revisions. */
function lastInRevisionOrder<R extends { global_position: string; revision: string }>(streamId: string, rows: readonly R[]): R {
  const sorted = [...rows].sort((a, b) => (BigInt(a.revision) < BigInt(b.revision) ? -1 : 1));
  sorted.forEach((row, index) => {
    const previous = sorted[index - 1];
    if (previous && BigInt(previous.global_position) >= BigInt(row.global_position)) {
      throw new Error(`appendToStream(${streamId}): global positions out of revision order`);
    }
  });
  const last = sorted[sorted.length - 1];
  if (!last) throw new Error(`appendToStream(${streamId}): the insert returned no rows`);
  return last;
}

const isUniqueViolation = (error: unknown, constraint: string): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505' && (error as { constraint?: unknown }).constraint === constraint;

/**
 * The PostgreSQL and PGlite event store (docs/architecture.md), one implementation over the `Sql` port.
 * `close()` stops its subscriptions; the `Sql` stays open (the caller owns it).
 */
export async function createSqlEventStore(sql: Sql, options: SqlEventStoreOptions = {}): Promise<EventStore> {
  const schema = options.schema ?? 'event_store';
  const s = schemaIdentifier(schema);
  const channel = options.notifyChannel ?? `${schema}_appended`;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const batchSize = options.batchSize ?? 500;
  const recheckMs = options.recheckAfterEmptyWakeMs ?? 1;
  await ensureSchema(sql, schema);
  await assertRebased(sql, schema);

  const wakeups = new Set<Wakeup>();
  const subscriptions = new Set<Subscription>();
  let unlisten: Promise<(() => Promise<void>) | null> | null = null;
  let closed = false;

  const q = {
    lock: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
    revision: `SELECT revision::text AS revision FROM ${s}.streams WHERE stream_id = $1`,
    findIds: `SELECT event_id::text AS id, stream_id, revision::text AS revision, transaction_id::text AS transaction_id, global_position::text AS global_position
              FROM ${s}.events WHERE event_id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)`,
    createStream: `INSERT INTO ${s}.streams (stream_id, revision) VALUES ($1, $2) ON CONFLICT (stream_id) DO NOTHING RETURNING revision`,
    advanceStream: `UPDATE ${s}.streams SET revision = $3 WHERE stream_id = $1 AND revision = $2 RETURNING revision`,
    // global_position (nextval) must follow revision order: the rows come sorted out of a
    // materialised CTE, and `lastInRevisionOrder` refuses (rolls back) anything else.
    insert: `WITH batch AS MATERIALIZED (
               SELECT $2::bigint + e.ordinality - 1 AS revision, (e.value->>'id')::uuid AS event_id, e.value->>'type' AS type,
                      e.value->'data' AS data, e.value->'metadata' AS metadata
               FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(value, ordinality)
               ORDER BY e.ordinality)
             , inserted AS (
               INSERT INTO ${s}.events (transaction_id, stream_id, revision, event_id, type, data, metadata)
               SELECT (SELECT ${s}.feed_transaction_id()), $1, revision, event_id, type, data, metadata FROM batch
               RETURNING transaction_id, global_position, revision)
             , notified AS (SELECT pg_notify($4, ''))
             SELECT i.transaction_id::text AS transaction_id, i.global_position::text AS global_position, i.revision::text AS revision
             FROM inserted i, notified`,
    appendFast: `SELECT status, transaction_id, global_position, revision FROM ${s}.append_events($1, $2, $3, $4::jsonb, $5)`,
    readStream: `SELECT ${eventColumns} FROM ${s}.events e
                 WHERE e.stream_id = $1 AND e.revision >= $2::bigint AND ($3::bigint IS NULL OR e.revision <= $3::bigint)
                 ORDER BY e.revision LIMIT $4`,
    // Only rows of transactions that have all ended: nothing can commit below xmin any more
    // (both sides carry the rebase offset, ADR 0013).
    readAll: `SELECT ${eventColumns} FROM ${s}.events e
              WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
                AND e.transaction_id < ${s}.feed_xmin()
                AND ($3::text IS NULL OR starts_with(e.stream_id, $3::text))
              ORDER BY e.transaction_id, e.global_position
              LIMIT $4`,
  };

  async function currentRevision(db: SqlQueryable, streamId: string): Promise<bigint | null> {
    const [row] = await db.query<{ revision: string }>(q.revision, [streamId]);
    return row ? BigInt(row.revision) : null;
  }

  async function findIds(db: SqlQueryable, events: readonly EventToAppend[]): Promise<StoredIdLocation[]> {
    const rows = await db.query<{ id: string; stream_id: string; revision: string; transaction_id: string; global_position: string }>(q.findIds, [
      JSON.stringify(events.map((event) => event.id)),
    ]);
    return rows.map((row) => ({
      id: row.id,
      streamId: row.stream_id,
      revision: BigInt(row.revision),
      position: encodePosition(BigInt(row.transaction_id), BigInt(row.global_position)),
    }));
  }

  /**
   * One transaction: (1) lock the stream, (2) detect a retried batch, (3) check the expected revision,
   * (4) compare-and-set the stream row, (5) insert the events and NOTIFY (sent on commit). The advisory lock assigns
   * no transaction id, so the id is taken at step 4, after the previous writer of this stream has
   * committed: per-stream order can never invert relative to transaction-id order (ADR: "xid order").
   */
  async function appendInTransaction(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    return sql.tx(async (tx) => {
      await tx.query(q.lock, [`${schema}:${streamId}`]);
      const current = await currentRevision(tx, streamId);
      const retried = matchRetriedBatch(streamId, events, expected, await findIds(tx, events), current);
      if (retried) return retried;
      assertExpectedRevision(streamId, expected, current);
      const next = (current ?? -1n) + BigInt(events.length);
      const swapped =
        current === null
          ? await tx.query(q.createStream, [streamId, next.toString()])
          : await tx.query(q.advanceStream, [streamId, current.toString(), next.toString()]);
      if (swapped.length === 0) throw new WrongExpectedVersionError(streamId, expected, (await currentRevision(tx, streamId)) ?? 'no_stream');
      const payload = toPayload(events);
      const rows = await tx.query<{ transaction_id: string; global_position: string; revision: string }>(q.insert, [
        streamId,
        ((current ?? -1n) + 1n).toString(),
        JSON.stringify(payload),
        channel,
      ]);
      await options.testHooks?.beforeCommit?.(streamId);
      const last = lastInRevisionOrder(streamId, rows);
      return { nextExpectedRevision: BigInt(last.revision), position: encodePosition(BigInt(last.transaction_id), BigInt(last.global_position)) };
    });
  }

  /** One round trip for the common case; null when the full path must decide (retry or conflict). */
  async function appendFast(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult | null> {
    let rows: { status: string; transaction_id: string; global_position: string; revision: string }[];
    try {
      rows = await sql.query(q.appendFast, [
        streamId,
        `${schema}:${streamId}`,
        typeof expected === 'bigint' ? expected.toString() : expected,
        JSON.stringify(toPayload(events)),
        channel,
      ]);
    } catch (error) {
      // Some id is stored already (a retry, or a duplicate): nothing was written; the full path decides.
      if (isUniqueViolation(error, 'events_event_id_key')) return null;
      throw error;
    }
    if (rows[0]?.status !== 'ok') return null;
    // Already committed: take the last row without the ordering assertion (the ordered CTE guarantees it).
    const last = rows.reduce((a, b) => (BigInt(b.revision) > BigInt(a.revision) ? b : a));
    return { nextExpectedRevision: BigInt(last.revision), position: encodePosition(BigInt(last.transaction_id), BigInt(last.global_position)) };
  }

  async function append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    try {
      // Test hooks act inside the transactional path; production appends take the fast path first.
      const fast = options.testHooks ? null : await appendFast(streamId, events, expected);
      return fast ?? (await appendInTransaction(streamId, events, expected));
    } catch (error) {
      // Another stream took one of these ids concurrently (same-stream writers are serialised).
      if (isUniqueViolation(error, 'events_event_id_key')) {
        const found = await findIds(sql, events);
        throw new DuplicateEventIdError(streamId, found.length > 0 ? found.map((location) => location.id) : events.map((event) => event.id));
      }
      throw error;
    }
  }

  async function readAll(readOptions: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const after = readOptions.after ? decodePosition(readOptions.after) : startPosition;
    const rows = await sql.query<EventRow>(q.readAll, [
      after.major.toString(),
      after.minor.toString(),
      readOptions.streamPrefix ?? null,
      readOptions.maxCount ?? null,
    ]);
    return rows.map(toStoredEvent);
  }

  function startListening(): void {
    unlisten ??= sql
      .listen(channel, () => {
        for (const wakeup of wakeups) wakeup.notify();
      })
      .catch((error: unknown) => {
        // Polling still delivers everything, only later.
        options.logger?.warn({ err: error, channel }, 'event store LISTEN failed; subscriptions fall back to polling');
        return null;
      });
  }

  const store: EventStore = {
    async appendToStream(streamId, events, appendOptions = {}) {
      if (closed) throw new Error('The event store is closed');
      assertAppendable(streamId, events);
      const started = performance.now();
      let result = 'error';
      try {
        const appended = await append(streamId, events, appendOptions.expectedRevision ?? 'any');
        result = 'ok';
        return appended;
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) result = 'conflict';
        throw error;
      } finally {
        options.metrics?.appendDuration.observe({ result }, (performance.now() - started) / 1000);
      }
    },

    async readStream(streamId, readOptions = {}) {
      const rows = await sql.query<EventRow>(q.readStream, [
        streamId,
        (readOptions.fromRevision ?? 0n).toString(),
        readOptions.toRevision === undefined ? null : readOptions.toRevision.toString(),
        readOptions.maxCount ?? null,
      ]);
      return rows.map(toStoredEvent);
    },

    streamRevision: (streamId) => currentRevision(sql, streamId),

    readAll,

    subscribeToAll(subscribeOptions, handler) {
      if (closed) throw new Error('The event store is closed');
      startListening();
      if (subscribeOptions.after) decodePosition(subscribeOptions.after); // a bad position fails here, not in a retry loop
      const wakeup = createWakeup();
      wakeups.add(wakeup);
      const watchdog = createFeedWatchdog({ db: sql, schema: s, ...(options.logger ? { logger: options.logger } : {}) });
      const readBatch = async (after: Position | null) => {
        const batch = await readAll({
          after,
          maxCount: subscribeOptions.maxCount ?? batchSize,
          ...(subscribeOptions.streamPrefix ? { streamPrefix: subscribeOptions.streamPrefix } : {}),
        });
        if (batch.length === 0 && options.logger) await watchdog(after);
        return batch;
      };
      const subscription = runSubscriptionLoop({
        after: subscribeOptions.after ?? null,
        readBatch,
        handler,
        wakeup,
        // A NOTIFY can arrive while an older transaction still holds xmin back: look again soon.
        // xmin is the whole server's (any database's transaction holds it), so in a cluster the first
        // read after a wake often comes back empty, and every such event pays the first pause.
        idleMs: (emptyReadsSinceWake) => Math.min(pollIntervalMs, recheckMs * 2 ** emptyReadsSinceWake),
        onError: (error) => {
          options.logger?.warn({ err: error }, 'event store subscription failed; retrying from its last position');
          subscribeOptions.onError?.(error);
        },
        onStop: async () => {
          wakeups.delete(wakeup);
          subscriptions.delete(subscription);
        },
      });
      subscriptions.add(subscription);
      return subscription;
    },

    comparePositions,

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
      const stopListening = await unlisten;
      await stopListening?.();
    },
  };
  return store;
}
