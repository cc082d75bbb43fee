import {
  DomainError,
  isIsoInstant,
  priorities,
  type CommentDto,
  type Page,
  type Priority,
  type TaskDto,
} from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import {
  decodeCursor,
  encodeCursor,
  instantFromMicros,
  isMicros,
  isUuid,
  microsOf,
  type KeysetCursor,
} from './cursor.js';
import { iso, SqlParams, taskDtoJson } from './sqlFragments.js';

export const taskSortKeys = ['position', 'createdAt', 'updatedAt', 'dueDate', 'priority', 'title'] as const;
export type TaskSortKey = (typeof taskSortKeys)[number];

type Order = 'asc' | 'desc';

/** The filters a task list and the search engine share (each narrows; absent: any). */
export interface TaskFilterFields {
  readonly columnId?: string | undefined;
  readonly assigneeId?: string | undefined;
  readonly label?: string | undefined;
  readonly priority?: Priority | undefined;
  readonly status?: 'open' | 'completed' | undefined;
  /** Default false: archived tasks only when asked for. */
  readonly archived?: boolean | undefined;
}

export interface TaskSearch extends TaskFilterFields {
  /** Only tasks of boards this user is a member of: the authorization of the query. */
  readonly viewerId: string;
  readonly boardId?: string | undefined;
  /** Full text over title and description (web search syntax; the last word also matches as a prefix). */
  readonly q?: string | undefined;
  /** ISO instant; due strictly before it. */
  readonly dueBefore?: string | undefined;
  /** ISO instant; due strictly after it. */
  readonly dueAfter?: string | undefined;
  readonly sort: TaskSortKey;
  readonly order: Order;
  readonly cursor?: string | undefined;
  readonly limit: number;
}

/**
 * A sort order. `expression` is exactly what an index of migration 010 holds after (board_id,
 * archived), so a board's page is a range scan of that index: ORDER BY (expression, id) and the
 * keyset as a row comparison of the same pair.
 */
interface SortKey {
  /** The expression ordered by (alias `t`), per direction. */
  readonly expression: (order: Order) => string;
  /** The key as text, for the cursor (NULL for a NULL due date). */
  readonly cursorValue: string;
  /** A cursor parameter back as a value comparable with `expression(order)`. */
  readonly fromCursor: (param: string, order: Order) => string;
  readonly isValidKey: (key: string | null) => boolean;
}

const instantKey = (column: string): SortKey => ({
  expression: () => column,
  cursorValue: microsOf(column),
  fromCursor: instantFromMicros,
  isValidKey: isMicros,
});
const textKey = (column: string): SortKey => ({
  expression: () => column,
  cursorValue: column,
  fromCursor: (param) => `${param}::text`,
  isValidKey: (key) => key !== null,
});

/** NULL due dates come last in both orders: as the far end of the direction read. */
const dueDateEnd = (order: Order) => (order === 'asc' ? `'infinity'::timestamptz` : `'-infinity'::timestamptz`);

const sortKeys: Record<TaskSortKey, SortKey> = {
  position: textKey('t.position'),
  createdAt: instantKey('t.created_at'),
  updatedAt: instantKey('t.updated_at'),
  dueDate: {
    expression: (order) => `coalesce(t.due_date, ${dueDateEnd(order)})`,
    cursorValue: microsOf('t.due_date'),
    fromCursor: (param, order) => `coalesce(${instantFromMicros(param)}, ${dueDateEnd(order)})`,
    isValidKey: (key) => key === null || isMicros(key),
  },
  priority: {
    expression: () => 't.priority_rank',
    cursorValue: 't.priority_rank::text',
    fromCursor: (param) => `${param}::smallint`,
    isValidKey: (key) => key !== null && /^[0-3]$/.test(key),
  },
  title: textKey('t.title'),
};

function instantFilter(value: string, field: string): string {
  if (!isIsoInstant(value) || Number.isNaN(Date.parse(value))) {
    throw new DomainError('VALIDATION.FAILED', `${field} must be an ISO 8601 instant`, [
      { field: `query.${field}`, message: 'Expected an ISO 8601 instant' },
    ]);
  }
  return new Date(value).toISOString();
}

/**
 * Web-search syntax, and the last plain word also as a prefix ("buy mil" finds "buy milk").
 * With the 'simple' configuration a prefix query matches a superset of the exact one, but
 * `websearch_to_tsquery`'s OR makes that untrue, so both are tried.
 */
function textSearch(q: string, params: SqlParams): string {
  const exact = `t.search @@ websearch_to_tsquery('simple', ${params.add(q)})`;
  const last = /(^|\s)([\p{L}\p{N}]+)$/u.exec(q);
  if (!last?.[2] || (q.match(/"/g)?.length ?? 0) % 2 === 1) return exact;
  const rest = q.slice(0, q.length - last[2].length);
  const prefix = `(websearch_to_tsquery('simple', ${params.add(rest)}) && to_tsquery('simple', ${params.add(`${last[2]}:*`)}))`;
  return `(${exact} OR t.search @@ ${prefix})`;
}

function filters(search: TaskSearch, params: SqlParams): string[] {
  const where = [`t.archived = ${params.add(search.archived ?? false)}`];
  if (search.boardId !== undefined) where.push(`t.board_id = ${params.add(search.boardId)}`);
  if (search.columnId !== undefined) where.push(`t.column_id = ${params.add(search.columnId)}`);
  if (search.assigneeId !== undefined) where.push(`t.assignee_ids @> ARRAY[${params.add(search.assigneeId)}::uuid]`);
  if (search.label !== undefined) where.push(`t.labels @> ARRAY[${params.add(search.label)}::text]`);
  // By rank: the priority sort's index then narrows to that one priority.
  if (search.priority !== undefined)
    where.push(`t.priority_rank = ${params.add(priorities.indexOf(search.priority))}::smallint`);
  if (search.status !== undefined) where.push(`t.status = ${params.add(search.status)}`);
  if (search.dueBefore !== undefined)
    where.push(`t.due_date < ${params.add(instantFilter(search.dueBefore, 'dueBefore'))}::timestamptz`);
  if (search.dueAfter !== undefined)
    where.push(`t.due_date > ${params.add(instantFilter(search.dueAfter, 'dueAfter'))}::timestamptz`);
  const q = search.q?.trim();
  if (q) where.push(textSearch(q, params));
  return where;
}

/** Rows after `cursor` in the page order: (key, id) compared as a pair, as the index orders them. */
function keysetCondition(key: SortKey, cursor: KeysetCursor, order: Order, params: SqlParams): string {
  const op = order === 'asc' ? '>' : '<';
  const after = key.fromCursor(params.add(cursor.key), order);
  return `(${key.expression(order)}, t.id) ${op} (${after}, ${params.add(cursor.id)}::uuid)`;
}

const ids = (search: TaskSearch): (string | undefined)[] => [
  search.viewerId,
  search.boardId,
  search.columnId,
  search.assigneeId,
];

/** Tasks on the viewer's boards matching `search`, one keyset page (stable and complete under ties). */
export async function searchTasks(sql: SqlQueryable, search: TaskSearch): Promise<Page<TaskDto>> {
  const key = sortKeys[search.sort];
  const cursor = search.cursor === undefined ? null : decodeCursor(search.cursor, key.isValidKey);
  // A malformed id cannot name anything the viewer may see.
  if (ids(search).some((id) => id !== undefined && !isUuid(id))) return { items: [], nextCursor: null };
  const params = new SqlParams();
  const viewer = params.add(search.viewerId);
  const where = filters(search, params);
  if (cursor) where.push(keysetCondition(key, cursor, search.order, params));
  const dir = search.order === 'asc' ? 'ASC' : 'DESC';
  const rows = await sql.query<{ task: TaskDto; sort_key: string | null }>(
    `SELECT ${taskDtoJson} AS task, ${key.cursorValue} AS sort_key
     FROM tasks t JOIN board_members m ON m.board_id = t.board_id AND m.user_id = ${viewer}
     WHERE ${where.join(' AND ')}
     ORDER BY ${key.expression(search.order)} ${dir}, t.id ${dir}
     LIMIT ${params.add(search.limit + 1)}`,
    params.values,
  );
  const items = rows.slice(0, search.limit);
  const last = rows.length > search.limit ? rows[search.limit - 1] : undefined;
  return {
    items: items.map((row) => row.task),
    nextCursor: last ? encodeCursor({ key: last.sort_key, id: last.task.id }) : null,
  };
}

/**
 * The board of a task in the read model, whoever asks: for routing and lookups only (never shown
 * to the caller; `getTask` says null to non-members). Null for an unknown task or a non-UUID.
 */
export async function getBoardIdOfTask(sql: SqlQueryable, taskId: string): Promise<string | null> {
  if (!isUuid(taskId)) return null;
  const rows = await sql.query<{ board_id: string }>('SELECT board_id FROM tasks WHERE id = $1', [taskId]);
  return rows[0]?.board_id ?? null;
}

/** The task if the viewer is a member of its board; null otherwise (existence stays hidden). */
export async function getTask(sql: SqlQueryable, taskId: string, viewerId: string): Promise<TaskDto | null> {
  if (!isUuid(taskId) || !isUuid(viewerId)) return null;
  const rows = await sql.query<{ task: TaskDto }>(
    `SELECT ${taskDtoJson} AS task
     FROM tasks t JOIN board_members m ON m.board_id = t.board_id AND m.user_id = $2
     WHERE t.id = $1`,
    [taskId, viewerId],
  );
  return rows[0]?.task ?? null;
}

/** A task's comments, oldest first. The caller has checked the viewer may see the task. */
export async function listComments(sql: SqlQueryable, taskId: string): Promise<CommentDto[]> {
  if (!isUuid(taskId)) return [];
  return sql.query<CommentDto>(
    `SELECT c.id, c.task_id AS "taskId", c.author_id AS "authorId", c.body,
            ${iso('c.created_at')} AS "createdAt", ${iso('c.edited_at')} AS "editedAt"
     FROM comments c WHERE c.task_id = $1 ORDER BY c.created_at, c.id`,
    [taskId],
  );
}

/** The comments of many tasks in one statement (GraphQL's batched loading), oldest first per task. */
export async function listCommentsOfTasks(sql: SqlQueryable, taskIds: readonly string[]): Promise<CommentDto[]> {
  const valid = taskIds.filter(isUuid);
  if (valid.length === 0) return [];
  return sql.query<CommentDto>(
    `SELECT c.id, c.task_id AS "taskId", c.author_id AS "authorId", c.body,
            ${iso('c.created_at')} AS "createdAt", ${iso('c.edited_at')} AS "editedAt"
     FROM comments c WHERE c.task_id = ANY($1::uuid[]) ORDER BY c.created_at, c.id`,
    [valid],
  );
}
