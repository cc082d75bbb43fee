import type { Sql } from '../sql/sql.port.js';

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name checked against a strict pattern, then quoted: the only non-parameter in our SQL. */
export function schemaIdentifier(schema: string): string {
  if (!identifier.test(schema)) throw new TypeError(`Invalid event store schema name: ${JSON.stringify(schema)}`);
  return `"${schema}"`;
}

/**
 * The stream's compare-and-set inside the append functions (PL/pgSQL; `v_count` and `v_current` are
 * the caller's variables): afterwards FOUND says whether the expected revision held, and `v_current`
 * is the revision before the append (NULL for a new stream).
 */
const compareAndSet = (s: string, stream: string, expected: string) => `IF ${expected} = 'no_stream' THEN
    INSERT INTO ${s}.streams (stream_id, revision) VALUES (${stream}, v_count - 1) ON CONFLICT (stream_id) DO NOTHING;
    v_current := NULL;
  ELSIF ${expected} ~ '^[0-9]+$' THEN
    v_current := ${expected}::bigint;
    UPDATE ${s}.streams SET revision = v_current + v_count WHERE stream_id = ${stream} AND revision = v_current;
  ELSE
    SELECT st.revision INTO v_current FROM ${s}.streams st WHERE st.stream_id = ${stream};
    IF v_current IS NULL AND ${expected} = 'any' THEN
      INSERT INTO ${s}.streams (stream_id, revision) VALUES (${stream}, v_count - 1);
    ELSIF v_current IS NOT NULL THEN
      UPDATE ${s}.streams SET revision = v_current + v_count WHERE stream_id = ${stream};
    END IF;
  END IF;`;

/** The CTEs that insert a stream's events after `v_current`; the caller SELECTs from `inserted`. */
const insertEvents = (s: string, stream: string, events: string) => `WITH batch AS MATERIALIZED (
      SELECT COALESCE(v_current, -1) + e.ordinality AS rev, (e.value->>'id')::uuid AS event_id, e.value->>'type' AS type,
             e.value->'data' AS data, e.value->'metadata' AS metadata
      FROM jsonb_array_elements(${events}) WITH ORDINALITY AS e(value, ordinality)
      ORDER BY e.ordinality)
    , inserted AS (
      -- The feed id once per statement (an InitPlan), not once per row as the column default would.
      INSERT INTO ${s}.events (transaction_id, stream_id, revision, event_id, type, data, metadata)
      SELECT (SELECT ${s}.feed_transaction_id()), ${stream}, b.rev, b.event_id, b.type, b.data, b.metadata FROM batch b
      RETURNING events.transaction_id, events.global_position, events.revision)`;

/**
 * docs/architecture.md. `transaction_id` is the id of the writing transaction, assigned by the stream's
 * compare-and-set (the first write); readers only take rows below the snapshot's xmin, so a row
 * can never appear behind a position a reader has already passed.
 */
const ddl = (s: string) => `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.streams (
  stream_id text PRIMARY KEY,
  revision bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.events (
  global_position bigserial PRIMARY KEY,
  transaction_id xid8 NOT NULL,
  stream_id text NOT NULL,
  revision bigint NOT NULL,
  event_id uuid NOT NULL CONSTRAINT events_event_id_key UNIQUE,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
);
CREATE INDEX IF NOT EXISTS events_feed_idx ON ${s}.events (transaction_id, global_position);

-- Feed transaction ids = the cluster's ids + an offset that \`rebase-txids\` sets after a logical
-- restore into another cluster (ADR 0013). One row at most; no row = offset 0.
CREATE TABLE IF NOT EXISTS ${s}.txid_rebase (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  txid_offset bigint NOT NULL,
  rebased_at timestamptz NOT NULL DEFAULT now()
);
CREATE OR REPLACE FUNCTION ${s}.txid_offset() RETURNS bigint LANGUAGE sql STABLE AS
  $fn$ SELECT COALESCE((SELECT txid_offset FROM ${s}.txid_rebase), 0) $fn$;
-- The id stored on each row: assigned by the first write of the transaction, shifted by the offset.
CREATE OR REPLACE FUNCTION ${s}.feed_transaction_id() RETURNS xid8 LANGUAGE sql VOLATILE AS
  $fn$ SELECT (pg_current_xact_id()::text::bigint + ${s}.txid_offset())::text::xid8 $fn$;
-- The server-wide xmin, shifted the same way (what readers used before feed_horizon; kept for
-- nodes of an older version during a rolling upgrade).
CREATE OR REPLACE FUNCTION ${s}.feed_xmin() RETURNS xid8 LANGUAGE sql STABLE AS
  $fn$ SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint + ${s}.txid_offset())::text::xid8 $fn$;
-- Readers' horizon (docs/architecture.md, ADR 0026): the oldest transaction of the reader's snapshot
-- still running that may write here, shifted the same way. A transaction of another database cannot
-- insert into this table, so it does not hold the feed back (it does hold the server-wide xmin); one
-- that ended since the snapshot is no longer listed and keeps its place, whatever its database.
-- pg_stat_activity's datid and backend_xid are readable by every role.
CREATE OR REPLACE FUNCTION ${s}.feed_horizon() RETURNS xid8 LANGUAGE sql STABLE AS $fn$
  SELECT (coalesce(
      (SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
       WHERE xid(x) NOT IN (
         SELECT a.backend_xid FROM pg_stat_activity a
         WHERE a.backend_xid IS NOT NULL AND a.datid IS NOT NULL
           AND a.datid <> (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))),
      pg_snapshot_xmax(pg_current_snapshot()))::text::bigint + ${s}.txid_offset())::text::xid8
$fn$;
DO $do$ BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
    WHERE d.adrelid = '${s}.events'::regclass AND a.attname = 'transaction_id'
      AND pg_get_expr(d.adbin, d.adrelid) LIKE '%feed_transaction_id()%') THEN
    ALTER TABLE ${s}.events ALTER COLUMN transaction_id SET DEFAULT ${s}.feed_transaction_id();
  END IF;
END $do$;

-- The common append in one round trip (ADR 0005): lock, compare-and-set, insert, notify.
-- A revision mismatch answers 'conflict' and writes nothing; ids already stored fail the insert
-- (unique violation, the statement rolls back). Either way the caller then runs the full
-- transactional path, which classifies the case precisely.
CREATE OR REPLACE FUNCTION ${s}.append_events(p_stream text, p_lock_key text, p_expected text, p_events jsonb, p_channel text)
RETURNS TABLE (status text, transaction_id text, global_position text, revision text)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_count bigint := jsonb_array_length(p_events);
  v_current bigint;
BEGIN
  -- Takes no transaction id: the id is assigned by the compare-and-set below (ADR 0002).
  PERFORM pg_advisory_xact_lock(hashtextextended(p_lock_key, 0));
  ${compareAndSet(s, 'p_stream', 'p_expected')}
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'conflict'::text, NULL::text, NULL::text, NULL::text;
    RETURN;
  END IF;
  PERFORM pg_notify(p_channel, '');
  RETURN QUERY
    ${insertEvents(s, 'p_stream', 'p_events')}
    SELECT 'ok'::text, i.transaction_id::text, i.global_position::text, i.revision::text FROM inserted i;
END
$fn$;

-- Group commit (ADR 0021): several appends, to different streams or the same one, as one statement
-- and one transaction. Each item is what append_events does, in the batch's order, with its own
-- answer: 'conflict' writes nothing for that item only. Every stream lock is taken first, in one
-- global order (no deadlock between batches), before the first write assigns the transaction id
-- (ADR 0002). A stored id fails the whole statement (unique violation); the caller then appends
-- the items one by one. One row per item: its last event.
CREATE OR REPLACE FUNCTION ${s}.append_events_many(p_batch jsonb, p_channel text)
RETURNS TABLE (item integer, status text, transaction_id text, global_position text, revision text)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_key text;
  v_item record;
  v_stream text;
  v_expected text;
  v_events jsonb;
  v_count bigint;
  v_current bigint;
  v_appended boolean := false;
BEGIN
  FOR v_key IN
    SELECT k.key FROM (SELECT DISTINCT b.value->>'lockKey' AS key FROM jsonb_array_elements(p_batch) b) k
    ORDER BY hashtextextended(k.key, 0), k.key
  LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(v_key, 0));
  END LOOP;
  FOR v_item IN SELECT b.value, (b.ordinality - 1)::integer AS n FROM jsonb_array_elements(p_batch) WITH ORDINALITY b ORDER BY b.ordinality
  LOOP
    v_stream := v_item.value->>'stream';
    v_expected := v_item.value->>'expected';
    v_events := v_item.value->'events';
    v_count := jsonb_array_length(v_events);
    ${compareAndSet(s, 'v_stream', 'v_expected')}
    IF NOT FOUND THEN
      RETURN QUERY SELECT v_item.n, 'conflict'::text, NULL::text, NULL::text, NULL::text;
      CONTINUE;
    END IF;
    v_appended := true;
    RETURN QUERY
      ${insertEvents(s, 'v_stream', 'v_events')}
      SELECT v_item.n, 'ok'::text, i.transaction_id::text, i.global_position::text, i.revision::text
      FROM inserted i ORDER BY i.revision DESC LIMIT 1;
  END LOOP;
  IF v_appended THEN
    PERFORM pg_notify(p_channel, '');
  END IF;
END
$fn$;
`;

/** Creates the tables if absent; safe when several processes start at once. */
export async function ensureSchema(sql: Sql, schema: string): Promise<void> {
  const s = schemaIdentifier(schema);
  await sql.tx(async (tx) => {
    // Concurrent CREATE ... IF NOT EXISTS can still collide in the catalog: serialise it.
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `primetrade:event-store-schema:${schema}`,
    ]);
    await tx.exec(ddl(s));
  });
}
