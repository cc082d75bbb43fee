import type { BoardFlowDto, BoardStatsDto, MyStatsDto } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { isUuid } from './cursor.js';
import { iso } from './sqlFragments.js';

/**
 * Statistics from the read models (migration 005 and the board tables), each in ONE statement so
 * every figure comes from the same snapshot, with the board revision it includes. The rules are in
 * docs/api.md ("Statistics"). Authorization is the caller's.
 */

const milliseconds = (interval: string) => `round(extract(epoch FROM ${interval}) * 1000)::bigint`;

const percentiles = (value: string) => `json_build_object('count', count(${value}),
  'p50', percentile_disc(0.5) WITHIN GROUP (ORDER BY ${value}),
  'p85', percentile_disc(0.85) WITHIN GROUP (ORDER BY ${value}),
  'p95', percentile_disc(0.95) WITHIN GROUP (ORDER BY ${value}))`;

const byPriority = (tasks: string) => `json_build_object(
  'low', count(*) FILTER (WHERE ${tasks}.priority = 'low'), 'medium', count(*) FILTER (WHERE ${tasks}.priority = 'medium'),
  'high', count(*) FILTER (WHERE ${tasks}.priority = 'high'), 'urgent', count(*) FILTER (WHERE ${tasks}.priority = 'urgent'))`;

const boardStatsSql = `
  WITH live AS (SELECT * FROM tasks WHERE board_id = $1 AND NOT archived),
  points AS (
    SELECT s.task_id, s.completed_at,
           ${milliseconds('s.completed_at - s.created_at')} AS lead,
           CASE WHEN s.cycle_started_at <= s.completed_at THEN ${milliseconds('s.completed_at - s.cycle_started_at')} END AS cycle
    FROM task_stats s WHERE s.board_id = $1 AND NOT s.deleted AND s.status = 'completed'
  )
  SELECT b.revision::int AS revision,
    (SELECT json_build_object('live', count(*) FILTER (WHERE NOT t.archived),
              'open', count(*) FILTER (WHERE NOT t.archived AND t.status = 'open'),
              'completed', count(*) FILTER (WHERE NOT t.archived AND t.status = 'completed'),
              'archived', count(*) FILTER (WHERE t.archived),
              'overdue', count(*) FILTER (WHERE NOT t.archived AND t.status = 'open' AND t.due_date < $2))
     FROM tasks t WHERE t.board_id = $1) AS tasks,
    (SELECT coalesce(json_agg(json_build_object('columnId', c.id, 'name', c.name, 'isDone', c.is_done, 'wipLimit', c.wip_limit,
              'tasks', (SELECT count(*) FROM live WHERE live.column_id = c.id)) ORDER BY c.position, c.id), '[]')
     FROM board_columns c WHERE c.board_id = $1) AS by_column,
    (SELECT coalesce(json_agg(json_build_object('userId', a.user_id, 'tasks', a.tasks) ORDER BY a.tasks DESC, a.user_id), '[]')
     FROM (SELECT u.user_id, count(*) AS tasks FROM live, unnest(live.assignee_ids) AS u (user_id) GROUP BY u.user_id) a) AS by_assignee,
    (SELECT count(*) FROM live WHERE cardinality(live.assignee_ids) = 0)::int AS unassigned,
    (SELECT ${byPriority('live')} FROM live) AS by_priority,
    (SELECT coalesce(json_agg(json_build_object('columnId', w.column_id, 'startedAt', ${iso('w.started_at')},
              'endedAt', ${iso('w.ended_at')}, 'durationMs', greatest(0, ${milliseconds('coalesce(w.ended_at, $2) - w.started_at')}),
              'wipLimit', w.wip_limit, 'peakTasks', w.peak_tasks) ORDER BY w.started_at, w.column_id), '[]')
     FROM wip_breaches w WHERE w.board_id = $1) AS wip_breaches,
    (SELECT json_build_object('last7Days', count(*) FILTER (WHERE p.completed_at > $2::timestamptz - interval '7 days'),
              'last30Days', count(*) FILTER (WHERE p.completed_at > $2::timestamptz - interval '30 days'))
     FROM points p) AS recent,
    (SELECT coalesce(json_agg(json_build_object('day', d.day, 'completed', d.completed) ORDER BY d.day), '[]')
     FROM (SELECT to_char(p.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS completed FROM points p GROUP BY 1) d) AS per_day,
    (SELECT ${percentiles('p.lead')} FROM points p) AS lead_time,
    (SELECT ${percentiles('p.cycle')} FROM points p) AS cycle_time,
    (SELECT coalesce(json_agg(json_build_object('taskId', p.task_id, 'completedAt', ${iso('p.completed_at')},
              'leadTimeMs', p.lead, 'cycleTimeMs', p.cycle) ORDER BY p.completed_at, p.task_id), '[]')
     FROM points p) AS completions
  FROM boards b WHERE b.id = $1`;

interface BoardStatsRow {
  readonly revision: number;
  readonly tasks: BoardStatsDto['tasks'];
  readonly by_column: BoardStatsDto['byColumn'];
  readonly by_assignee: BoardStatsDto['byAssignee'];
  readonly unassigned: number;
  readonly by_priority: BoardStatsDto['byPriority'];
  readonly wip_breaches: BoardStatsDto['wipBreaches'];
  readonly recent: { readonly last7Days: number; readonly last30Days: number };
  readonly per_day: BoardStatsDto['throughput']['perDay'];
  readonly lead_time: BoardStatsDto['leadTime'];
  readonly cycle_time: BoardStatsDto['cycleTime'];
  readonly completions: BoardStatsDto['completions'];
}

/** A board's statistics as of `now`, or null when there is no such board. */
export async function getBoardStats(sql: SqlQueryable, boardId: string, now: Date): Promise<BoardStatsDto | null> {
  if (!isUuid(boardId)) return null;
  const [row] = await sql.query<BoardStatsRow>(boardStatsSql, [boardId, now.toISOString()]);
  if (!row) return null;
  return {
    boardId,
    revision: row.revision,
    asOf: now.toISOString(),
    tasks: row.tasks,
    byColumn: row.by_column,
    byAssignee: row.by_assignee,
    unassigned: row.unassigned,
    byPriority: row.by_priority,
    wipBreaches: row.wip_breaches,
    throughput: { ...row.recent, perDay: row.per_day },
    leadTime: row.lead_time,
    cycleTime: row.cycle_time,
    completions: row.completions,
  };
}

export interface FlowRange {
  /** UTC days `YYYY-MM-DD`, `from <= to`. */
  readonly from: string;
  readonly to: string;
}

const boardFlowSql = `
  SELECT b.revision::int AS revision,
    (SELECT coalesce(json_agg(json_build_object('columnId', c.id, 'name', c.name, 'isDone', c.is_done,
              'tasks', (SELECT json_agg(coalesce(
                          (SELECT f.tasks FROM column_flow f
                           WHERE f.board_id = c.board_id AND f.column_id = c.id AND f.day <= d.day::date
                           ORDER BY f.day DESC LIMIT 1), 0) ORDER BY d.day)
                        FROM generate_series($2::date, $3::date, interval '1 day') AS d (day)))
            ORDER BY c.position, c.id), '[]')
     FROM board_columns c WHERE c.board_id = $1) AS columns
  FROM boards b WHERE b.id = $1`;

/** Every UTC day from `from` to `to`, both included. */
export function daysBetween(range: FlowRange): string[] {
  const days: string[] = [];
  for (let day = Date.parse(`${range.from}T00:00:00Z`); day <= Date.parse(`${range.to}T00:00:00Z`); day += 86_400_000) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

/** Cumulative flow: each column's task count at the end of each day of the range. */
export async function getBoardFlow(sql: SqlQueryable, boardId: string, range: FlowRange): Promise<BoardFlowDto | null> {
  if (!isUuid(boardId)) return null;
  const [row] = await sql.query<{ revision: number; columns: BoardFlowDto['columns'] }>(boardFlowSql, [
    boardId,
    range.from,
    range.to,
  ]);
  if (!row) return null;
  return {
    boardId,
    revision: row.revision,
    from: range.from,
    to: range.to,
    days: daysBetween(range),
    columns: row.columns,
  };
}

const myStatsSql = `
  SELECT count(*)::int AS total,
         json_build_object('open', count(*) FILTER (WHERE t.status = 'open'), 'completed', count(*) FILTER (WHERE t.status = 'completed')) AS by_status,
         ${byPriority('t')} AS by_priority,
         count(*) FILTER (WHERE t.status = 'open' AND t.due_date < $2)::int AS overdue,
         count(*) FILTER (WHERE t.status = 'open' AND t.due_date >= $2 AND t.due_date < $2::timestamptz + interval '24 hours')::int AS due_24h,
         count(*) FILTER (WHERE t.status = 'open' AND t.due_date >= $2 AND t.due_date < $2::timestamptz + interval '7 days')::int AS due_7d
  FROM tasks t
  JOIN board_members m ON m.board_id = t.board_id AND m.user_id = $1
  JOIN boards b ON b.id = t.board_id AND NOT b.archived
  WHERE t.assignee_ids @> ARRAY[$1::uuid] AND NOT t.archived`;

/** My tasks (assigned to me, on the boards I am a member of that are not archived) as of `now`. */
export async function getMyStats(sql: SqlQueryable, userId: string, now: Date): Promise<MyStatsDto> {
  const asOf = now.toISOString();
  const [row] = isUuid(userId)
    ? await sql.query<{
        total: number;
        by_status: MyStatsDto['byStatus'];
        by_priority: MyStatsDto['byPriority'];
        overdue: number;
        due_24h: number;
        due_7d: number;
      }>(myStatsSql, [userId, asOf])
    : [];
  const empty = { low: 0, medium: 0, high: 0, urgent: 0 };
  return {
    asOf,
    total: row?.total ?? 0,
    byStatus: row?.by_status ?? { open: 0, completed: 0 },
    byPriority: row?.by_priority ?? empty,
    overdue: row?.overdue ?? 0,
    dueWithin24Hours: row?.due_24h ?? 0,
    dueWithin7Days: row?.due_7d ?? 0,
  };
}

/**
 * What `GET /me/stats` depends on besides the clock: the revision of every board I am a member of.
 * Changes whenever one of those boards changes or my memberships do (a cache key part).
 */
export async function getMyBoardsFingerprint(sql: SqlQueryable, userId: string): Promise<string> {
  if (!isUuid(userId)) return 'none';
  const [row] = await sql.query<{ fingerprint: string }>(
    `SELECT md5(coalesce(string_agg(b.id::text || ':' || b.revision, ',' ORDER BY b.id), '')) AS fingerprint
     FROM board_members m JOIN boards b ON b.id = m.board_id WHERE m.user_id = $1`,
    [userId],
  );
  return row?.fingerprint ?? 'none';
}
