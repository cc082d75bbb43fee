import type { SqlQueryable } from '@primetrade/platform';
import { LeaseLostError } from './relayLease.js';

/** Named positions in the store's global feed (table `checkpoints`). */
export async function loadCheckpoint(sql: SqlQueryable, name: string): Promise<string | null> {
  const rows = await sql.query<{ position: string }>('SELECT position FROM checkpoints WHERE name = $1', [name]);
  return rows[0]?.position ?? null;
}

export interface CheckpointWrite {
  readonly name: string;
  readonly position: string;
  /** Write only while this lease row still carries this epoch (relay fencing). */
  readonly fence?: { readonly lease: string; readonly holder: string; readonly epoch: bigint };
}

/**
 * The relay's checkpoint write after each batch, in one statement (one round trip): the upsert
 * reads the lease row `FOR SHARE` in the same statement, so a takeover (which updates that row) and
 * this write are serialised, and a write under a lost lease throws `LeaseLostError`. It does not
 * compare with the stored position: the caller must only ever pass positions after the one it
 * loaded, and with a fence no other relay can write the row meanwhile (the relay: its feed delivers
 * positions in order, and only the holder of the lease's epoch writes).
 */
export async function saveNextCheckpoint(sql: SqlQueryable, write: CheckpointWrite): Promise<void> {
  const upsert = `ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
     RETURNING 1 AS saved`;
  if (!write.fence) {
    await sql.query(`INSERT INTO checkpoints (name, position, updated_at) VALUES ($1, $2, now()) ${upsert}`, [
      write.name,
      write.position,
    ]);
    return;
  }
  const { lease, holder, epoch } = write.fence;
  const saved = await sql.query<{ saved: number }>(
    `INSERT INTO checkpoints (name, position, updated_at)
     SELECT $1, $2, now() FROM relay_leases WHERE name = $3 AND holder = $4 AND epoch = $5::bigint FOR SHARE
     ${upsert}`,
    [write.name, write.position, lease, holder, epoch.toString()],
  );
  if (saved.length > 0) return;
  const rows = await sql.query<{ holder: string; epoch: string }>(
    'SELECT holder, epoch::text FROM relay_leases WHERE name = $1',
    [lease],
  );
  throw new LeaseLostError(
    `Lease ${lease} is held by ${rows[0]?.holder ?? 'nobody'} at epoch ${rows[0]?.epoch ?? '-'}`,
  );
}
