import type { SqlQueryable } from '@primetrade/platform';

/** Named positions in the store's global feed (table `checkpoints`). */
export async function loadCheckpoint(sql: SqlQueryable, name: string): Promise<string | null> {
  const rows = await sql.query<{ position: string }>('SELECT position FROM checkpoints WHERE name = $1', [name]);
  return rows[0]?.position ?? null;
}

export async function saveCheckpoint(sql: SqlQueryable, name: string, position: string): Promise<void> {
  await sql.query(
    `INSERT INTO checkpoints (name, position, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    [name, position],
  );
}
