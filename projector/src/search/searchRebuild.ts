import type { EventStore, Sql } from '@primetrade/platform';
import type { OpenSearchIndex, SearchIndex } from '@primetrade/read-model';
import { silentLogger, type ProjectorLogger } from '../logging.js';
import { createEmbeddedSearchFeed } from './embeddedSearchFeed.js';

export interface SearchRebuildOptions {
  /** The live index (through its aliases). */
  readonly live: OpenSearchIndex;
  /** The event store: the rebuild replays it from the start, whatever the bus still holds. */
  readonly store: EventStore;
  /** The read models the documents are read from. */
  readonly sql: Sql;
  readonly logger?: ProjectorLogger;
  /** How often the progress is checked and logged. Default 1000 ms. */
  readonly pollMs?: number;
}

export interface SearchRebuildResult {
  readonly generation: number;
  readonly boards: number;
  /** The old generation's indexes, deleted. */
  readonly deleted: readonly string[];
  readonly durationMs: number;
}

/**
 * Rebuilds the OpenSearch index with no downtime (docs/adr/0026-search-projection.md, "Rebuild"):
 * 1. creates generation n+1 beside the live one;
 * 2. feeds it with a second search feed of its own (its own relay checkpoint, from the start of the
 *    store) — the same code as the live feed, so the new generation has one writer until the switch;
 * 3. waits until every board the read models hold reached, in n+1, the revision it had when the wait began;
 * 4. `promote`s n+1 (the three aliases move at once: searches see n, then n+1), after which the live
 *    feed writes to it too;
 * 5. waits again, so the events the live feed sent to n before the switch are in n+1 as well;
 * 6. stops its feed, forgets its checkpoint and deletes generation n.
 */
export async function rebuildSearchIndex(options: SearchRebuildOptions): Promise<SearchRebuildResult> {
  const started = performance.now();
  const logger = options.logger ?? silentLogger;
  const next = await options.live.createGeneration();
  const checkpointName = `search-rebuild-g${next.generation}`;
  logger.info({ generation: next.generation, names: next.names }, 'search rebuild: new generation created');
  const feed = createEmbeddedSearchFeed({
    store: options.store,
    sql: options.sql,
    index: next,
    logger,
    checkpointName,
  });
  let promoted = false;
  await feed.start();
  try {
    const boards = await reachReadModels(options.sql, next, options.pollMs ?? 1_000, logger);
    const deleted = await options.live.promote(next.generation);
    promoted = true;
    logger.info({ generation: next.generation }, 'search rebuild: aliases switched');
    await reachReadModels(options.sql, next, options.pollMs ?? 1_000, logger);
    await feed.stop();
    await options.live.deleteIndexes(deleted);
    await options.sql.query('DELETE FROM checkpoints WHERE name = $1', [checkpointName]);
    return { generation: next.generation, boards, deleted, durationMs: performance.now() - started };
  } catch (error) {
    await feed.stop();
    // Before the switch the new generation is nobody's: a failed rebuild leaves only the live one.
    if (!promoted) {
      await options.live
        .deleteIndexes(Object.values(next.names))
        .catch((cleanup: unknown) =>
          logger.warn({ err: cleanup }, 'search rebuild: could not delete the new generation'),
        );
      await options.sql.query('DELETE FROM checkpoints WHERE name = $1', [checkpointName]);
    }
    throw error;
  }
}

/** Waits until `index` holds every projected board at (at least) the revision the read models had at the call. */
async function reachReadModels(sql: Sql, index: SearchIndex, pollMs: number, logger: ProjectorLogger): Promise<number> {
  const rows = await sql.query<{ board_id: string; last_revision: string }>(
    'SELECT board_id, last_revision FROM projection_checkpoints ORDER BY board_id',
  );
  let waiting = rows.map((row) => ({ boardId: row.board_id, revision: Number(row.last_revision) }));
  while (waiting.length > 0) {
    const still: typeof waiting = [];
    for (const board of waiting)
      if (((await index.boardRevision(board.boardId)) ?? -1) < board.revision) still.push(board);
    waiting = still;
    if (waiting.length === 0) break;
    logger.info({ behind: waiting.length, of: rows.length }, 'search rebuild: filling the new generation');
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return rows.length;
}
