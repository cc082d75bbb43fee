import type { NotificationDto } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { toNewNotification, type NotificationRow } from './notificationRows.js';
import { decodeCursor, encodeCursor, instantFromMicros, isMicros, microsOf } from './cursor.js';

/** Notifications of ONE user (issue 5): every statement here is scoped by `user_id`. */

export interface NotificationListOptions {
  readonly unread?: boolean | undefined;
  /** A previous page's `nextCursor`. */
  readonly cursor?: string | undefined;
  readonly limit: number;
}

export interface NotificationPage {
  readonly items: NotificationDto[];
  readonly nextCursor: string | null;
  readonly unreadCount: number;
}

/** Only boards the person is still on: leaving a board takes its notifications out of the list (they stay stored for the export). */
const stillMember = 'EXISTS (SELECT 1 FROM board_members m WHERE m.board_id = n.board_id AND m.user_id = n.user_id)';

/** Newest first, keyset-paginated on (created_at, id). */
export async function listNotifications(
  sql: SqlQueryable,
  userId: string,
  options: NotificationListOptions,
): Promise<NotificationPage> {
  const after = options.cursor === undefined ? null : decodeCursor(options.cursor, isMicros);
  const rows = await sql.query<NotificationRow & { read_at: string | Date | null; cursor_key: string }>(
    `SELECT n.*, u.name AS actor_name, ${microsOf('n.created_at')} AS cursor_key
     FROM notifications n LEFT JOIN users u ON u.id = n.actor_id
     WHERE n.user_id = $1 AND ($2::boolean IS NOT TRUE OR n.read_at IS NULL) AND ${stillMember}
       AND ($3::text IS NULL OR (n.created_at, n.id) < (${instantFromMicros('$3')}, $4::uuid))
     ORDER BY n.created_at DESC, n.id DESC
     LIMIT $5`,
    [userId, options.unread ?? false, after?.key ?? null, after?.id ?? null, options.limit + 1],
  );
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > options.limit && last ? encodeCursor({ key: last.cursor_key, id: last.id }) : null;
  return {
    items: page.map((row) => toNewNotification(row).notification),
    nextCursor,
    unreadCount: await unreadCount(sql, userId),
  };
}

export async function unreadCount(sql: SqlQueryable, userId: string): Promise<number> {
  const [row] = await sql.query<{ count: string | number }>(
    `SELECT count(*) AS count FROM notifications n WHERE n.user_id = $1 AND n.read_at IS NULL AND ${stillMember}`,
    [userId],
  );
  return Number(row?.count ?? 0);
}

/** Marks one of the user's notifications read (idempotent); false when it is not theirs or unknown. */
export async function markNotificationRead(sql: SqlQueryable, userId: string, id: string, at: Date): Promise<boolean> {
  const rows = await sql.query<{ id: string }>(
    'UPDATE notifications SET read_at = coalesce(read_at, $3) WHERE id = $1 AND user_id = $2 RETURNING id',
    [id, userId, at.toISOString()],
  );
  return rows.length === 1;
}

/** Marks every unread notification of the user read; returns how many. */
export async function markAllNotificationsRead(sql: SqlQueryable, userId: string, at: Date): Promise<number> {
  const rows = await sql.query<{ id: string }>(
    'UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL RETURNING id',
    [userId, at.toISOString()],
  );
  return rows.length;
}

/** An explicit follow (true) or opt-out (false) of a task's changes (ADR 0011). */
export async function setTaskFollow(
  sql: SqlQueryable,
  choice: { userId: string; taskId: string; following: boolean; at: Date },
): Promise<void> {
  await sql.query(
    `INSERT INTO task_follows (task_id, user_id, following, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (task_id, user_id) DO UPDATE SET following = excluded.following, updated_at = excluded.updated_at`,
    [choice.taskId, choice.userId, choice.following, choice.at.toISOString()],
  );
}
