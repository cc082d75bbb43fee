import type { Sql } from '@primetrade/platform';
import { createPgSearchIndex, searchChangeFromReadModel } from '@primetrade/read-model';

/**
 * TEST ONLY, until the search projection feeds the index from events (docs/adr/0024-search-engine.md,
 * "Feeding the index"; branch `searchfeed`): copies these boards' tasks and members from the read
 * models into the embedded system's PostgreSQL search index, once the read models reached
 * `revisions` (board → revision of the last write). Delete it, and its calls, once the feed exists.
 */
export async function fillSearchIndexForTests(sql: Sql, revisions: ReadonlyMap<string, number>): Promise<void> {
  const index = createPgSearchIndex(sql);
  for (const [boardId, revision] of revisions) {
    for (let waited = 0; ; waited += 100) {
      const rows = await sql.query<{ last_revision: string }>(
        'SELECT last_revision FROM projection_checkpoints WHERE board_id = $1',
        [boardId],
      );
      if (Number(rows[0]?.last_revision ?? -1) >= revision) break;
      if (waited > 20_000) throw new Error(`board ${boardId} was not projected to revision ${revision}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const taskIds = await sql.query<{ id: string }>('SELECT id FROM tasks WHERE board_id = $1', [boardId]);
    const change = await searchChangeFromReadModel(
      sql,
      boardId,
      taskIds.map((row) => row.id),
    );
    if (change === null) throw new Error(`board ${boardId} has no projected revision`);
    await index.apply([change]);
  }
}
