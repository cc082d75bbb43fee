import type { SqlQueryable } from '@primetrade/platform';
import { searchChangeFromReadModel, type SearchIndex, type SearchTaskDocument } from '@primetrade/read-model';

/** A task as the search port answers it (comments are searchable, never returned). */
export type IndexedTask = Omit<SearchTaskDocument, 'comments'>;

const byId = (a: IndexedTask, b: IndexedTask) => a.id.localeCompare(b.id);

/**
 * Every task `viewerId` finds in the index, archived or not, page by page through the port itself:
 * what the index holds and whom it lets see it, the same way on both adapters.
 */
export async function indexedTasksOf(index: SearchIndex, viewerId: string): Promise<IndexedTask[]> {
  const tasks: IndexedTask[] = [];
  for (const archived of [false, true]) {
    let cursor: string | undefined;
    do {
      const page = await index.search({ viewerId, archived, sort: 'createdAt', limit: 100, cursor });
      tasks.push(...page.items.map((hit) => hit.task));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return tasks.sort(byId);
}

/** The same tasks as the read models hold them: every task of every board the viewer is a member of. */
export async function readModelTasksOf(sql: SqlQueryable, viewerId: string): Promise<IndexedTask[]> {
  const boards = await sql.query<{ board_id: string; task_ids: string[] }>(
    `SELECT m.board_id, coalesce(array_agg(t.id::text) FILTER (WHERE t.id IS NOT NULL), '{}') AS task_ids
     FROM board_members m LEFT JOIN tasks t ON t.board_id = m.board_id
     WHERE m.user_id = $1 GROUP BY m.board_id`,
    [viewerId],
  );
  const tasks: IndexedTask[] = [];
  for (const board of boards) {
    const change = await searchChangeFromReadModel(sql, board.board_id, board.task_ids);
    for (const { comments: _comments, ...task } of change?.upserts ?? []) tasks.push(task);
  }
  return tasks.sort(byId);
}
