import type { BoardSummaryDto, BoardViewDto, Page, Role } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { decodeCursor, encodeCursor, instantFromMicros, isMicros, isUuid, microsOf } from './cursor.js';
import { boardDtoJson, iso, taskDtoJson } from './sqlFragments.js';

export interface BoardPageRequest {
  readonly cursor?: string | undefined;
  readonly limit: number;
  readonly includeArchived?: boolean | undefined;
}

const emptyPage = { items: [], nextCursor: null } as const;

/**
 * "My boards", most recently changed first: keyset on (updated_at, id), both descending.
 * A malformed cursor is a DomainError VALIDATION.FAILED on `query.cursor`.
 */
export async function listBoardsForUser(
  sql: SqlQueryable,
  userId: string,
  page: BoardPageRequest,
): Promise<Page<BoardSummaryDto>> {
  const after = page.cursor === undefined ? null : decodeCursor(page.cursor, isMicros);
  if (!isUuid(userId)) return emptyPage;
  const rows = await sql.query<{ board: BoardSummaryDto; sort_key: string }>(
    `SELECT ${boardDtoJson}::jsonb || jsonb_build_object('role', m.role) AS board, ${microsOf('b.updated_at')} AS sort_key
     FROM board_members m JOIN boards b ON b.id = m.board_id
     WHERE m.user_id = $1 AND ($2::boolean OR NOT b.archived)
       AND ($3::text IS NULL OR (b.updated_at, b.id) < (${instantFromMicros('$3')}, $4::uuid))
     ORDER BY b.updated_at DESC, b.id DESC
     LIMIT $5`,
    [userId, page.includeArchived ?? false, after?.key ?? null, after?.id ?? null, page.limit + 1],
  );
  const items = rows.slice(0, page.limit);
  const last = rows.length > page.limit ? items[items.length - 1] : undefined;
  return {
    items: items.map((row) => row.board),
    nextCursor: last ? encodeCursor({ key: last.sort_key, id: last.board.id }) : null,
  };
}

/**
 * The whole board at one revision, read in ONE statement so board, columns, tasks and members
 * come from the same snapshot (clients apply events after `revision` on top of it).
 */
export async function getBoardView(sql: SqlQueryable, boardId: string): Promise<BoardViewDto | null> {
  if (!isUuid(boardId)) return null;
  const rows = await sql.query<BoardViewDto>(
    `SELECT ${boardDtoJson} AS board, b.revision::int AS revision,
       (SELECT coalesce(json_agg(json_build_object('id', c.id, 'name', c.name, 'position', c.position,
                 'isDone', c.is_done, 'wipLimit', c.wip_limit) ORDER BY c.position, c.id), '[]')
        FROM board_columns c WHERE c.board_id = b.id) AS columns,
       (SELECT coalesce(json_agg(${taskDtoJson} ORDER BY col.position, t.column_id, t.position, t.id), '[]')
        FROM tasks t LEFT JOIN board_columns col ON col.board_id = t.board_id AND col.id = t.column_id
        WHERE t.board_id = b.id) AS tasks,
       (SELECT coalesce(json_agg(json_build_object('userId', m.user_id, 'name', coalesce(u.name, ''),
                 'role', m.role, 'addedAt', ${iso('m.added_at')}) ORDER BY m.added_at, m.user_id), '[]')
        FROM board_members m LEFT JOIN users u ON u.id = m.user_id WHERE m.board_id = b.id) AS members
     FROM boards b WHERE b.id = $1`,
    [boardId],
  );
  return rows[0] ?? null;
}

/** What the read models say of one person on one board, read in one snapshot. */
export interface MemberStanding {
  /** Null when not a member (or no such board). */
  readonly role: Role | null;
  /** The last board revision the read models hold; null when the board is not (yet) projected. */
  readonly revision: number | null;
}

/**
 * The viewer's role and the board's projected revision in one statement. Two separate queries could
 * straddle a projector commit: a role read before `MemberAdded` was applied, then a revision read
 * after it, would make a stale "not a member" look current (docs/consistency.md).
 */
export async function getMemberStanding(sql: SqlQueryable, boardId: string, userId: string): Promise<MemberStanding> {
  if (!isUuid(boardId) || !isUuid(userId)) return { role: null, revision: null };
  const rows = await sql.query<{ role: Role | null; revision: string }>(
    `SELECT b.revision, m.role
     FROM boards b LEFT JOIN board_members m ON m.board_id = b.id AND m.user_id = $2
     WHERE b.id = $1`,
    [boardId, userId],
  );
  const row = rows[0];
  return row ? { role: row.role ?? null, revision: Number(row.revision) } : { role: null, revision: null };
}

/** The viewer's role on the board, or null when not a member (or no such board). */
export async function getMemberRole(sql: SqlQueryable, boardId: string, userId: string): Promise<Role | null> {
  if (!isUuid(boardId) || !isUuid(userId)) return null;
  const rows = await sql.query<{ role: Role }>('SELECT role FROM board_members WHERE board_id = $1 AND user_id = $2', [
    boardId,
    userId,
  ]);
  return rows[0]?.role ?? null;
}

/** The last board revision the read models hold, or null when the board is not (yet) projected. */
export async function getBoardRevision(sql: SqlQueryable, boardId: string): Promise<number | null> {
  if (!isUuid(boardId)) return null;
  const rows = await sql.query<{ revision: string }>('SELECT revision FROM boards WHERE id = $1', [boardId]);
  return rows[0] ? Number(rows[0].revision) : null;
}
