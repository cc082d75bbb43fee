import type { Sql } from '../sql/sql.port.js';

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name checked against a strict pattern, then quoted: the only non-parameter in our SQL. */
export function schemaIdentifier(schema: string): string {
  if (!identifier.test(schema)) throw new TypeError(`Invalid event store schema name: ${JSON.stringify(schema)}`);
  return `"${schema}"`;
}

/**
 * DESIGN §3. `transaction_id` is the id of the writing transaction, assigned by the stream's
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
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
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
`;

/** Creates the tables if absent; safe when several processes start at once. */
export async function ensureSchema(sql: Sql, schema: string): Promise<void> {
  const s = schemaIdentifier(schema);
  await sql.tx(async (tx) => {
    // Concurrent CREATE ... IF NOT EXISTS can still collide in the catalog: serialise it.
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`primetrade:event-store-schema:${schema}`]);
    await tx.exec(ddl(s));
  });
}
