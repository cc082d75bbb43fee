import type { Sql, SqlQueryable } from '../sql/sql.port.js';
import { DuplicateEventIdError, WrongExpectedVersionError } from './eventStore.port.js';
import type { AppendResult, EventToAppend, ExpectedRevision } from './eventStore.port.js';
import { assertExpectedRevision, matchRetriedBatch } from './idempotency.js';
import type { StoredIdLocation } from './idempotency.js';
import { encodePosition } from './position.js';
import { currentRevision } from './sqlEventStore.read.js';

export interface SqlAppendTarget {
  readonly sql: Sql;
  /** The schema's name (the stream lock's key) and its quoted identifier. */
  readonly schema: string;
  readonly s: string;
  /** NOTIFY channel sent by every append. */
  readonly channel: string;
}

export type SqlAppend = (
  streamId: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision,
) => Promise<AppendResult>;

export interface InsertedRow {
  readonly transaction_id: string;
  readonly global_position: string;
  readonly revision: string;
}

export const toPayload = (events: readonly EventToAppend[]) =>
  events.map((event) => ({ id: event.id, type: event.type, data: event.data ?? null, metadata: event.metadata }));

export const toResult = (last: InsertedRow): AppendResult => ({
  nextExpectedRevision: BigInt(last.revision),
  position: encodePosition(BigInt(last.transaction_id), BigInt(last.global_position)),
});

/** The last inserted row; throws (rolling back) if positions do not follow revisions. */
function lastInRevisionOrder(streamId: string, rows: readonly InsertedRow[]): InsertedRow {
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

export const isUniqueViolation = (error: unknown, constraint: string): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: unknown }).code === '23505' &&
  (error as { constraint?: unknown }).constraint === constraint;

const appendQueries = (s: string) => ({
  lock: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
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
});

/**
 * Appends of the SQL event store (docs/architecture.md): one round trip for the common case
 * (docs/adr/0005-single-round-trip-append.md), the full transaction when that one cannot decide.
 */
export interface SqlAppends {
  /** One round trip in the common case, the full transaction when that one cannot decide. */
  readonly append: SqlAppend;
  /** The full transaction only: what decides an item a group commit could not (ADR 0021). */
  readonly appendInTransaction: SqlAppend;
}

export function createSqlAppend(target: SqlAppendTarget): SqlAppends {
  const { sql, schema, s, channel } = target;
  const q = appendQueries(s);
  const lockKey = (streamId: string) => `${schema}:${streamId}`;

  async function findIds(db: SqlQueryable, events: readonly EventToAppend[]): Promise<StoredIdLocation[]> {
    const ids = JSON.stringify(events.map((event) => event.id));
    const rows = await db.query<{ id: string; stream_id: string } & InsertedRow>(q.findIds, [ids]);
    return rows.map((row) => ({
      id: row.id,
      streamId: row.stream_id,
      revision: BigInt(row.revision),
      position: toResult(row).position,
    }));
  }

  /** Compare-and-set of the stream row from `current` to `next`; false when another writer moved it. */
  async function swapRevision(
    tx: SqlQueryable,
    streamId: string,
    current: bigint | null,
    next: bigint,
  ): Promise<boolean> {
    const swapped =
      current === null
        ? await tx.query(q.createStream, [streamId, next.toString()])
        : await tx.query(q.advanceStream, [streamId, current.toString(), next.toString()]);
    return swapped.length > 0;
  }

  /**
   * One transaction: (1) lock the stream, (2) detect a retried batch, (3) check the expected revision,
   * (4) compare-and-set the stream row, (5) insert the events and NOTIFY (sent on commit). The advisory lock assigns
   * no transaction id, so the id is taken at step 4, after the previous writer of this stream has
   * committed: per-stream order can never invert relative to transaction-id order (ADR: "xid order").
   */
  function appendInTransaction(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    return sql.tx(async (tx) => {
      await tx.query(q.lock, [lockKey(streamId)]);
      const current = await currentRevision(tx, s, streamId);
      const retried = matchRetriedBatch(streamId, events, expected, await findIds(tx, events), current);
      if (retried) return retried;
      assertExpectedRevision(streamId, expected, current);
      const first = (current ?? -1n) + 1n;
      if (!(await swapRevision(tx, streamId, current, first + BigInt(events.length) - 1n))) {
        throw new WrongExpectedVersionError(
          streamId,
          expected,
          (await currentRevision(tx, s, streamId)) ?? 'no_stream',
        );
      }
      const rows = await tx.query<InsertedRow>(q.insert, [
        streamId,
        first.toString(),
        JSON.stringify(toPayload(events)),
        channel,
      ]);
      return toResult(lastInRevisionOrder(streamId, rows));
    });
  }

  /** One round trip for the common case; null when the full path must decide (retry or conflict). */
  async function appendFast(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult | null> {
    let rows: ({ status: string } & InsertedRow)[];
    try {
      const expectedText = typeof expected === 'bigint' ? expected.toString() : expected;
      rows = await sql.query(q.appendFast, [
        streamId,
        lockKey(streamId),
        expectedText,
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
    return toResult(rows.reduce((a, b) => (BigInt(b.revision) > BigInt(a.revision) ? b : a)));
  }

  /** `path`, with an id taken concurrently by another stream reported as such (same-stream writers are serialised). */
  const classified =
    (path: SqlAppend): SqlAppend =>
    async (streamId, events, expected) => {
      try {
        return await path(streamId, events, expected);
      } catch (error) {
        if (isUniqueViolation(error, 'events_event_id_key')) {
          const found = await findIds(sql, events);
          throw new DuplicateEventIdError(
            streamId,
            found.length > 0 ? found.map((location) => location.id) : events.map((event) => event.id),
          );
        }
        throw error;
      }
    };

  return {
    append: classified(
      async (streamId, events, expected) =>
        (await appendFast(streamId, events, expected)) ?? (await appendInTransaction(streamId, events, expected)),
    ),
    appendInTransaction: classified(appendInTransaction),
  };
}
