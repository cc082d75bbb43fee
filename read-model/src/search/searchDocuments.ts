import type { SqlQueryable } from '@primetrade/platform';
import { isUuid } from '../queries/cursor.js';
import { iso } from '../queries/sqlFragments.js';
import type { SearchBoardChange, SearchTaskDocument } from './searchIndex.port.js';

/**
 * What the search index should hold of some tasks of one board, read from the read models
 * (docs/adr/0024-search-engine.md, "Feeding the index"): the tasks that exist as whole documents
 * (with their comments), the others as deletes, the board's members, all stamped with the board's
 * projected revision. One statement, so one snapshot: the documents are exactly the read models at
 * that revision. Null when the board has not been projected (or is not a UUID).
 */
export async function searchChangeFromReadModel(
  sql: SqlQueryable,
  boardId: string,
  taskIds: readonly string[],
): Promise<SearchBoardChange | null> {
  if (!isUuid(boardId)) return null;
  const wanted = taskIds.filter(isUuid);
  const rows = await sql.query<{ revision: string | null; tasks: SearchTaskDocument[]; member_ids: string[] }>(
    `SELECT
       (SELECT last_revision FROM projection_checkpoints WHERE board_id = $1) AS revision,
       coalesce((SELECT json_agg(json_build_object(
           'id', t.id, 'boardId', t.board_id, 'columnId', t.column_id, 'title', t.title,
           'description', t.description, 'labels', t.labels,
           'comments', coalesce((SELECT json_agg(c.body ORDER BY c.created_at, c.id) FROM comments c WHERE c.task_id = t.id), '[]'),
           'assigneeIds', t.assignee_ids, 'priority', t.priority, 'dueDate', ${iso('t.due_date')},
           'status', t.status, 'archived', t.archived,
           'createdAt', ${iso('t.created_at')}, 'updatedAt', ${iso('t.updated_at')}) ORDER BY t.id)
         FROM tasks t WHERE t.board_id = $1 AND t.id = ANY($2::uuid[])), '[]') AS tasks,
       coalesce((SELECT array_agg(m.user_id::text ORDER BY m.user_id) FROM board_members m WHERE m.board_id = $1), '{}')
         AS member_ids`,
    [boardId, wanted],
  );
  const row = rows[0];
  if (!row || row.revision === null) return null;
  const present = new Set(row.tasks.map((task) => task.id));
  return {
    boardId,
    revision: Number(row.revision),
    upserts: row.tasks,
    deletes: wanted.filter((id) => !present.has(id)),
    memberIds: row.member_ids,
  };
}
