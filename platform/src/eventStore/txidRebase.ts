import type { Sql, SqlQueryable } from '../sql/sql.port.js';
import { schemaIdentifier } from './sqlEventStore.schema.js';

/**
 * Transaction ids after a logical restore (ADR 0013). The global feed orders and gates rows by
 * the id of their writing transaction. pg_dump/pg_restore copies those ids verbatim into another
 * cluster whose own counter may be far behind them: new events would then sort *before* events
 * already published (a relay past them never sees them) and the old rows would sit above the
 * readers' horizon. `rebaseTransactionIds` records an offset so every new id sorts after every
 * stored one; until that is done the store refuses to open.
 */
export interface TxidState {
  /** Highest feed transaction id stored, or null when the store is empty. */
  readonly maxStored: bigint | null;
  /** The next id this cluster assigns, shifted by the offset: every new row gets at least this. */
  readonly nextFeedId: bigint;
  readonly offset: bigint;
  /** True when stored ids are at or ahead of the next one: restored and not rebased. */
  readonly needsRebase: boolean;
}

export interface RebaseResult extends TxidState {
  readonly rebased: boolean;
  readonly previousOffset: bigint;
}

export class UnrebasedRestoreError extends Error {
  override readonly name = 'UnrebasedRestoreError';
  constructor(
    readonly schema: string,
    readonly state: TxidState,
  ) {
    super(
      `The event store "${schema}" holds transaction ids up to ${String(state.maxStored)}, ahead of this PostgreSQL cluster ` +
        `(next ${state.nextFeedId}): it was restored from a logical dump (pg_dump/pg_restore) and not rebased. ` +
        'New events would sort before published ones. Stop every service and run `npm run ops -- rebase-txids` first (docs/operations.md "Operations CLI").',
    );
  }
}

async function readState(db: SqlQueryable, schema: string): Promise<TxidState> {
  const s = schemaIdentifier(schema);
  const [row] = await db.query<{ max_stored: string | null; next_raw: string; txid_offset: string }>(
    `SELECT (SELECT e.transaction_id::text FROM ${s}.events e ORDER BY e.transaction_id DESC LIMIT 1) AS max_stored,
            pg_snapshot_xmax(pg_current_snapshot())::text AS next_raw,
            ${s}.txid_offset()::text AS txid_offset`,
  );
  if (!row) throw new Error('reading the transaction id state returned no row');
  const offset = BigInt(row.txid_offset);
  const maxStored = row.max_stored === null ? null : BigInt(row.max_stored);
  const nextFeedId = BigInt(row.next_raw) + offset;
  return { maxStored, nextFeedId, offset, needsRebase: maxStored !== null && maxStored >= nextFeedId };
}

export const readTxidState = (sql: SqlQueryable, schema = 'event_store'): Promise<TxidState> => readState(sql, schema);

/** Throws `UnrebasedRestoreError` on an un-rebased restore; called when a SQL store opens. */
export async function assertRebased(sql: SqlQueryable, schema: string): Promise<void> {
  const state = await readState(sql, schema);
  if (state.needsRebase) throw new UnrebasedRestoreError(schema, state);
}

/**
 * Sets the offset so that the next transaction id of this cluster, shifted, is above every stored
 * one. Stored ids and positions stay as they are (checkpoints, Kafka envelopes and webhook
 * consumers keep pointing at the right events). Writers are locked out while it runs; run it with
 * the services stopped — the ops command (projector/src/ops/rebaseUnderLease.ts) holds the relay
 * lease meanwhile and refuses while a live relay holds it. A no-op when nothing needs rebasing.
 */
export async function rebaseTransactionIds(sql: Sql, schema = 'event_store'): Promise<RebaseResult> {
  const s = schemaIdentifier(schema);
  return sql.tx(async (tx) => {
    // Appends take their id at the streams compare-and-set: locking streams too waits out any
    // append that already has an id (it must not insert after the offset changes under it).
    await tx.exec(`LOCK TABLE ${s}.streams, ${s}.events IN SHARE ROW EXCLUSIVE MODE`);
    const before = await readState(tx, schema);
    if (!before.needsRebase || before.maxStored === null)
      return { ...before, rebased: false, previousOffset: before.offset };
    const [own] = await tx.query<{ raw: string }>('SELECT pg_current_xact_id()::text AS raw');
    // Every later transaction gets a raw id above ours: shifted, above maxStored with room to spare.
    const offset = before.maxStored - BigInt(own?.raw ?? '0') + 1n;
    await tx.query(
      `INSERT INTO ${s}.txid_rebase (singleton, txid_offset, rebased_at) VALUES (true, $1, now())
       ON CONFLICT (singleton) DO UPDATE SET txid_offset = EXCLUDED.txid_offset, rebased_at = EXCLUDED.rebased_at`,
      [offset.toString()],
    );
    const after = await readState(tx, schema);
    // Inside this transaction the snapshot's xmax is one past the latest *completed* id, which an
    // older transaction still open elsewhere on the server can hold below our own: every id assigned
    // after ours is above it, so that is the next id the feed can see.
    const nextFeedId = [after.nextFeedId, BigInt(own?.raw ?? '0') + 1n + offset].reduce((a, b) => (a > b ? a : b));
    const needsRebase = after.maxStored !== null && after.maxStored >= nextFeedId;
    return { ...after, nextFeedId, needsRebase, rebased: true, previousOffset: before.offset };
  });
}
