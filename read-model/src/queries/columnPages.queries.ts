import type { BoardViewDto, ColumnPageDto, ColumnTasksPageDto, TaskDto } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { decodeCursor, encodeCursor, isUuid } from './cursor.js';
import { boardDtoJson, iso, taskDtoJson } from './sqlFragments.js';

/**
 * Column pages of a big board (docs/adr/0023-big-boards-column-pages.md). A column's page is a
 * keyset range of its non-archived tasks on (position, id), read from `tasks_keyset_column`
 * (board_id, column_id, archived, position, id; migration 010): `limit + 1` index entries whatever
 * the board's size. The `+ 1` tells whether there is more.
 */

export interface ColumnTasksRequest {
  /** A `nextCursor` of the paged view or of a previous page. */
  readonly cursor?: string | undefined;
  readonly limit: number;
}

const positionKey = (key: string | null): boolean => key !== null && key.length <= 200;

/** The tasks of a page plus whether the column holds more after them. */
function pageOf(rows: readonly TaskDto[], limit: number): { items: TaskDto[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = rows.length > limit ? items[items.length - 1] : undefined;
  return { items, nextCursor: last ? encodeCursor({ key: last.position, id: last.id }) : null };
}

/**
 * The board with only the first `tasksPerColumn` non-archived tasks of each column, and per column
 * its true count (`column_counts`, kept by the projector) and a cursor for the rest. ONE statement,
 * so every part comes from the same snapshot, as in `getBoardView`.
 */
export async function getPagedBoardView(
  sql: SqlQueryable,
  boardId: string,
  tasksPerColumn: number,
): Promise<BoardViewDto | null> {
  if (!isUuid(boardId)) return null;
  const rows = await sql.query<Omit<BoardViewDto, 'tasks' | 'columnPages'> & { pages: PageRow[] }>(
    `SELECT ${boardDtoJson} AS board, b.revision::int AS revision,
       (SELECT coalesce(json_agg(json_build_object('id', c.id, 'name', c.name, 'position', c.position,
                 'isDone', c.is_done, 'wipLimit', c.wip_limit) ORDER BY c.position, c.id), '[]')
        FROM board_columns c WHERE c.board_id = b.id) AS columns,
       (SELECT coalesce(json_agg(json_build_object('columnId', c.id, 'taskCount', coalesce(n.tasks, 0),
                 'tasks', p.tasks) ORDER BY c.position, c.id), '[]')
        FROM board_columns c
        LEFT JOIN column_counts n ON n.board_id = c.board_id AND n.column_id = c.id
        CROSS JOIN LATERAL (
          SELECT coalesce(json_agg(page.task ORDER BY page.position, page.id), '[]') AS tasks
          FROM (SELECT ${taskDtoJson} AS task, t.position, t.id FROM tasks t
                WHERE t.board_id = c.board_id AND t.column_id = c.id AND NOT t.archived
                ORDER BY t.position, t.id LIMIT $2) page) p
        WHERE c.board_id = b.id) AS pages,
       (SELECT coalesce(json_agg(json_build_object('userId', m.user_id, 'name', coalesce(u.name, ''),
                 'role', m.role, 'addedAt', ${iso('m.added_at')}) ORDER BY m.added_at, m.user_id), '[]')
        FROM board_members m LEFT JOIN users u ON u.id = m.user_id WHERE m.board_id = b.id) AS members
     FROM boards b WHERE b.id = $1`,
    [boardId, tasksPerColumn + 1],
  );
  const row = rows[0];
  if (row === undefined) return null;
  const { pages, ...view } = row;
  const tasks: TaskDto[] = [];
  const columnPages: ColumnPageDto[] = pages.map((column) => {
    const page = pageOf(column.tasks, tasksPerColumn);
    tasks.push(...page.items);
    // The count never says less than the page shows (column_counts trails nothing: same transaction).
    const taskCount = Math.max(column.taskCount, page.items.length);
    return { columnId: column.columnId, taskCount, nextCursor: page.nextCursor };
  });
  return { ...view, tasks, columnPages };
}

interface PageRow {
  readonly columnId: string;
  readonly taskCount: number;
  readonly tasks: TaskDto[];
}

/**
 * The next `limit` non-archived tasks of a column after the cursor, by (position, id); null when
 * the board or the column does not exist in the read models (the route checks membership first).
 * A malformed cursor is a DomainError VALIDATION.FAILED on `query.cursor`.
 */
export async function listColumnTasks(
  sql: SqlQueryable,
  boardId: string,
  columnId: string,
  request: ColumnTasksRequest,
): Promise<ColumnTasksPageDto | null> {
  const after = request.cursor === undefined ? null : decodeCursor(request.cursor, positionKey);
  if (!isUuid(boardId) || !isUuid(columnId)) return null;
  const rows = await sql.query<{ revision: number; tasks: TaskDto[] }>(
    `SELECT b.revision::int AS revision,
       (SELECT coalesce(json_agg(page.task ORDER BY page.position, page.id), '[]')
        FROM (SELECT ${taskDtoJson} AS task, t.position, t.id FROM tasks t
              WHERE t.board_id = b.id AND t.column_id = $2 AND NOT t.archived
                AND ($3::text IS NULL OR (t.position, t.id) > ($3::text COLLATE "C", $4::uuid))
              ORDER BY t.position, t.id LIMIT $5) page) AS tasks
     FROM boards b WHERE b.id = $1 AND EXISTS (SELECT 1 FROM board_columns c WHERE c.board_id = b.id AND c.id = $2)`,
    [boardId, columnId, after?.key ?? null, after?.id ?? null, request.limit + 1],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return { ...pageOf(row.tasks, request.limit), revision: row.revision };
}
