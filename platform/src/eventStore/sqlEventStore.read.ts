import type { Sql, SqlQueryable } from '../sql/sql.port.js';
import type { BulkReads, EventStore, ReadAllOptions, StoredEvent } from './eventStore.port.js';
import { decodePosition, encodePosition, startPosition } from './position.js';
import type { FeedBatch } from './subscriptionLoop.js';

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

/** The stream's last revision, or null when it has none; `db` may be a transaction. */
export async function currentRevision(db: SqlQueryable, s: string, streamId: string): Promise<bigint | null> {
  const [row] = await db.query<{ revision: string }>(
    `SELECT revision::text AS revision FROM ${s}.streams WHERE stream_id = $1`,
    [streamId],
  );
  return row ? BigInt(row.revision) : null;
}

export type SqlReads = Pick<EventStore, 'readStream' | 'readAll' | 'streamRevision'> & {
  readonly bulk: BulkReads;
  /** `readAll` for the live feed: also says whether committed events wait behind an open transaction. */
  readonly readFeed: (readOptions: ReadAllOptions) => Promise<FeedBatch>;
};

/** The store's reads; `s` is the quoted schema identifier. */
export function createSqlReads(sql: Sql, s: string): SqlReads {
  const readStreamText = `SELECT ${eventColumns} FROM ${s}.events e
       WHERE e.stream_id = $1 AND e.revision >= $2::bigint AND ($3::bigint IS NULL OR e.revision <= $3::bigint)
       ORDER BY e.revision LIMIT $4`;
  // Only rows of transactions that have all ended: nothing that may write here can commit below the
  // horizon any more (both sides carry the rebase offset, ADR 0013); computed once per statement.
  // The feed's page after a position ($1, $2), below `horizon`, optionally under a stream prefix ($3),
  // at most $4 events: what `readAll` and the live feed's read both select.
  const feedPage = (horizon: string, extraColumns = '') => `SELECT ${eventColumns}${extraColumns} FROM ${s}.events e
       WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
         AND e.transaction_id < ${horizon}
         AND ($3::text IS NULL OR starts_with(e.stream_id, $3::text))
       ORDER BY e.transaction_id, e.global_position
       LIMIT $4`;
  const readAllText = feedPage(`(SELECT ${s}.feed_horizon())`);

  // The same page, plus in the same statement whether any committed event after the position sits at or
  // above the horizon (held back by an open transaction). One row with NULL columns when nothing is
  // readable; the horizon is computed once (a LATERAL join off a one-row subquery).
  const readFeedText = `SELECT h.held_back, e.* FROM
       (SELECT hz.horizon, EXISTS (
          SELECT 1 FROM ${s}.events x
          WHERE (x.transaction_id, x.global_position) > ($1::text::xid8, $2::bigint)
            AND x.transaction_id >= hz.horizon) AS held_back
        FROM (SELECT ${s}.feed_horizon() AS horizon) hz) h
     LEFT JOIN LATERAL (${feedPage('h.horizon', ', e.transaction_id AS feed_tid, e.global_position AS feed_gp')}) e ON true
     ORDER BY e.feed_tid, e.feed_gp`;

  // A rebuild's fixed end of the feed: the newest row below the horizon, so every row at or before it
  // has committed and none can commit there later (docs/adr/0031-bulk-rebuild.md).
  const feedEndText = `SELECT e.transaction_id::text AS transaction_id, e.global_position::text AS global_position
       FROM ${s}.events e
       WHERE e.transaction_id < (SELECT ${s}.feed_horizon()) AND starts_with(e.stream_id, $1::text)
       ORDER BY e.transaction_id DESC, e.global_position DESC
       LIMIT 1`;
  // Keyset over the (stream_id, revision) unique index ('' and -1 start before every stream); the
  // position bound keeps the set fixed. Run with sorts and bitmap scans off: the planner, misjudging
  // the filters' selectivity, would otherwise read every row up to the bound and sort, per chunk.
  const readByStreamText = `SELECT ${eventColumns} FROM ${s}.events e
       WHERE starts_with(e.stream_id, $1::text)
         AND (e.stream_id, e.revision) > ($2::text, $3::bigint)
         AND (e.transaction_id, e.global_position) <= ($4::text::xid8, $5::bigint)
       ORDER BY e.stream_id, e.revision
       LIMIT $6`;

  const bulk: BulkReads = {
    async feedEnd(streamPrefix) {
      const [row] = await sql.query<{ transaction_id: string; global_position: string }>(feedEndText, [streamPrefix]);
      return row ? encodePosition(BigInt(row.transaction_id), BigInt(row.global_position)) : null;
    },
    async readByStream({ streamPrefix, upTo, after, maxCount }) {
      const end = decodePosition(upTo);
      const rows = await sql.tx(async (tx) => {
        await tx.exec('SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off');
        return tx.query<EventRow>(readByStreamText, [
          streamPrefix,
          after?.streamId ?? '',
          after ? after.revision.toString() : '-1',
          end.major.toString(),
          end.minor.toString(),
          maxCount,
        ]);
      });
      return rows.map(toStoredEvent);
    },
  };

  return {
    bulk,
    async readFeed(readOptions) {
      const after = readOptions.after ? decodePosition(readOptions.after) : startPosition;
      const rows = await sql.query<EventRow & { held_back: boolean; event_id: string | null }>(readFeedText, [
        after.major.toString(),
        after.minor.toString(),
        readOptions.streamPrefix ?? null,
        readOptions.maxCount ?? null,
      ]);
      const events = rows.filter((row) => row.event_id !== null).map(toStoredEvent);
      return {
        events,
        heldBack: rows[0]?.held_back === true,
        drained: readOptions.maxCount === undefined || events.length < readOptions.maxCount,
      };
    },

    async readStream(streamId, readOptions = {}) {
      const rows = await sql.query<EventRow>(readStreamText, [
        streamId,
        (readOptions.fromRevision ?? 0n).toString(),
        readOptions.toRevision === undefined ? null : readOptions.toRevision.toString(),
        readOptions.maxCount ?? null,
      ]);
      return rows.map(toStoredEvent);
    },

    async readAll(readOptions: ReadAllOptions = {}) {
      const after = readOptions.after ? decodePosition(readOptions.after) : startPosition;
      const rows = await sql.query<EventRow>(readAllText, [
        after.major.toString(),
        after.minor.toString(),
        readOptions.streamPrefix ?? null,
        readOptions.maxCount ?? null,
      ]);
      return rows.map(toStoredEvent);
    },

    streamRevision: (streamId) => currentRevision(sql, s, streamId),
  };
}
