import type { Sql, SqlQueryable } from '@primetrade/platform';
import { instantFromMicros, isMicros, isUuid, microsOf } from '../queries/cursor.js';
import { applyChanges } from './pgSearchIndex.write.js';
import { iso, SqlParams } from '../queries/sqlFragments.js';
import {
  allowedEdits,
  decodeSearchCursor,
  effectiveSort,
  encodeSearchCursor,
  facetSize,
  highlightClose,
  highlightOpen,
  highlightPieces,
  queryWords,
  validateSearchQuery,
  type FacetCount,
  type SearchFacets,
  type SearchHit,
  type SearchIndex,
  type SearchQuery,
  type SearchResult,
  type SearchSort,
} from './searchIndex.port.js';

/**
 * The search port on PostgreSQL (or PGlite) full text, in the tables of migration 011
 * (docs/adr/0024-search-engine.md). Typo tolerance: each query word expands to the indexed words
 * within its edit distance (fuzzystrmatch's Levenshtein, the same bound as OpenSearch's
 * `fuzziness: AUTO` without transpositions); the last word also matches as a prefix.
 */
export function createPgSearchIndex(sql: Sql): SearchIndex {
  return {
    kind: 'postgres',
    apply: (changes) => sql.tx(async (tx) => applyChanges(tx, changes)),
    async boardRevision(boardId) {
      if (!isUuid(boardId)) return null;
      const rows = await sql.query<{ revision: string }>('SELECT revision FROM search_boards WHERE board_id = $1', [
        boardId,
      ]);
      return rows[0] ? Number(rows[0].revision) : null;
    },
    search: (query) => search(sql, query),
  };
}

/** Longer words match exactly (fuzzystrmatch refuses strings over 255 characters). */
const maxFuzzyLength = 64;

/**
 * The query's tsquery, as SQL: per word, the indexed words within its edit distance OR'ed (the
 * word itself when none), the last word also as a prefix; the words AND'ed.
 */
function tsQuery(words: readonly string[], params: SqlParams): string {
  const parts = words.map((word, index) => {
    const edits = word.length > maxFuzzyLength ? 0 : allowedEdits(word);
    const w = params.add(word);
    const near =
      edits === 0
        ? `quote_literal(${w}::text)`
        : `(SELECT coalesce(string_agg(quote_literal(s.term), ' | '), quote_literal(${w}::text)) FROM search_terms s
           WHERE length(s.term) BETWEEN length(${w}::text) - ${edits} AND length(${w}::text) + ${edits}
             AND levenshtein_less_equal(s.term, ${w}::text, ${edits}) <= ${edits})`;
    const prefix = index === words.length - 1 ? ` || ' | ' || quote_literal(${w}::text) || ':*'` : '';
    return `'(' || ${near}${prefix} || ')'`;
  });
  return `to_tsquery('search_folded', ${parts.join(` || ' & ' || `)})`;
}

interface SortSpec {
  /** Ordered by (expression, id), both in `dir`. */
  readonly expression: string;
  /** The cursor's key as JSON-able text or number. */
  readonly cursorValue: string;
  readonly fromCursor: (param: string) => string;
  readonly isValidKey: (key: unknown) => boolean;
}

function sortSpec(sort: SearchSort, order: 'asc' | 'desc'): SortSpec {
  const instant = (column: string): SortSpec => ({
    expression: column,
    cursorValue: microsOf(column),
    fromCursor: instantFromMicros,
    isValidKey: (key) => typeof key === 'string' && isMicros(key),
  });
  switch (sort) {
    case 'relevance':
      return {
        expression: 'm.rank',
        cursorValue: 'm.rank',
        fromCursor: (param) => `${param}::real`,
        isValidKey: (key) => typeof key === 'number' && Number.isFinite(key),
      };
    case 'priority':
      return {
        expression: 'm.priority_rank',
        cursorValue: 'm.priority_rank',
        fromCursor: (param) => `${param}::smallint`,
        isValidKey: (key) => typeof key === 'number' && Number.isInteger(key) && key >= 0 && key <= 3,
      };
    case 'createdAt':
      return instant('m.created_at');
    case 'updatedAt':
      return instant('m.updated_at');
    case 'dueDate': {
      // Tasks without a due date come last in both orders: as the far end of the direction read.
      const end = order === 'asc' ? `'infinity'::timestamptz` : `'-infinity'::timestamptz`;
      return {
        expression: `coalesce(m.due_date, ${end})`,
        cursorValue: microsOf('m.due_date'),
        fromCursor: (param) => `coalesce(${instantFromMicros(param)}, ${end})`,
        isValidKey: (key) => key === null || (typeof key === 'string' && isMicros(key)),
      };
    }
  }
}

function filters(query: SearchQuery, params: SqlParams): string[] {
  const where = [`t.archived = ${params.add(query.archived ?? false)}`];
  if (query.boardIds !== undefined) where.push(`t.board_id = ANY(${params.add(query.boardIds)}::uuid[])`);
  if (query.columnId !== undefined) where.push(`t.column_id = ${params.add(query.columnId)}::uuid`);
  if (query.assigneeId !== undefined) where.push(`t.assignee_ids @> ARRAY[${params.add(query.assigneeId)}::uuid]`);
  if (query.label !== undefined) where.push(`t.labels @> ARRAY[${params.add(query.label)}::text]`);
  if (query.priority !== undefined) where.push(`t.priority = ${params.add(query.priority)}`);
  if (query.status !== undefined) where.push(`t.status = ${params.add(query.status)}`);
  if (query.dueFrom !== undefined)
    where.push(`t.due_date >= ${params.add(new Date(query.dueFrom).toISOString())}::timestamptz`);
  if (query.dueBefore !== undefined)
    where.push(`t.due_date < ${params.add(new Date(query.dueBefore).toISOString())}::timestamptz`);
  return where;
}

const emptyFacets: SearchFacets = { board: [], assignee: [], label: [], priority: [], status: [] };
const noResult: SearchResult = { items: [], total: 0, facets: emptyFacets, nextCursor: null };

interface HitRow {
  readonly task: SearchHit['task'];
  readonly cursor_key: string | number | null;
  readonly title_marked: string | null;
  readonly description_marked: string | null;
}

const open = highlightOpen;
const close = highlightClose;

async function search(sql: SqlQueryable, query: SearchQuery): Promise<SearchResult> {
  validateSearchQuery(query);
  const { sort, order } = effectiveSort(query);
  const spec = sortSpec(sort, order);
  const cursor =
    query.cursor === undefined
      ? null
      : decodeSearchCursor(
          query.cursor,
          (values) =>
            values.length === 2 && spec.isValidKey(values[0]) && typeof values[1] === 'string' && isUuid(values[1]),
        );
  const ids = [query.viewerId, query.columnId, query.assigneeId, ...(query.boardIds ?? [])];
  // A malformed id cannot name anything the viewer may see.
  if (ids.some((id) => id !== undefined && !isUuid(id))) return noResult;
  const words = queryWords(query.text);
  const params = new SqlParams();
  const viewer = params.add(query.viewerId);
  const where = filters(query, params);
  const withText = words.length > 0;
  if (withText) where.push('t.search @@ q.query');
  // Membership inside the query: only rows of boards the viewer is a member of are ever read.
  const matches = `q AS (SELECT ${withText ? tsQuery(words, params) : 'NULL::tsquery'} AS query),
    matches AS (
      SELECT t.*, ${withText ? 'ts_rank(t.search, q.query)' : '0::real'} AS rank
      FROM search_tasks t
      JOIN search_board_members a ON a.board_id = t.board_id AND a.user_id = ${viewer}::uuid
      CROSS JOIN q
      WHERE ${where.join(' AND ')})`;
  const countParams = params.values.slice();
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  const keyset = cursor
    ? `WHERE (${spec.expression}, m.id) ${order === 'asc' ? '>' : '<'} (${spec.fromCursor(params.add(cursor[0]))}, ${params.add(cursor[1])}::uuid)`
    : '';
  const headline = (column: string) =>
    withText
      ? `ts_headline('search_folded', ${column}, q.query, 'HighlightAll=true, StartSel="${open}", StopSel="${close}"')`
      : 'NULL';
  const [rows, facetRows] = await Promise.all([
    sql.query<HitRow>(
      `WITH ${matches}
       SELECT json_build_object('id', m.id, 'boardId', m.board_id, 'columnId', m.column_id, 'title', m.title,
           'description', m.description, 'labels', m.labels, 'assigneeIds', m.assignee_ids, 'priority', m.priority,
           'dueDate', ${iso('m.due_date')}, 'status', m.status, 'archived', m.archived,
           'createdAt', ${iso('m.created_at')}, 'updatedAt', ${iso('m.updated_at')}) AS task,
         ${spec.cursorValue} AS cursor_key,
         ${headline('m.title')} AS title_marked, ${headline('m.description')} AS description_marked
       FROM matches m CROSS JOIN q ${keyset}
       ORDER BY ${spec.expression} ${dir}, m.id ${dir}
       LIMIT ${params.add(query.limit + 1)}`,
      params.values,
    ),
    sql.query<{ facet: string; value: string; count: string }>(
      `WITH ${matches}
       SELECT 'total' AS facet, '' AS value, count(*) AS count FROM matches
       UNION ALL SELECT 'board', board_id::text, count(*) FROM matches GROUP BY board_id
       UNION ALL SELECT 'assignee', a::text, count(*) FROM matches, unnest(assignee_ids) AS a GROUP BY a
       UNION ALL SELECT 'label', l, count(*) FROM matches, unnest(labels) AS l GROUP BY l
       UNION ALL SELECT 'priority', priority, count(*) FROM matches GROUP BY priority
       UNION ALL SELECT 'status', status, count(*) FROM matches GROUP BY status`,
      countParams,
    ),
  ]);
  const page = rows.slice(0, query.limit);
  const last = rows.length > query.limit ? page.at(-1) : undefined;
  return {
    items: page.map((row) => ({ task: row.task, highlights: highlights(row) })),
    total: Number(facetRows.find((row) => row.facet === 'total')?.count ?? 0),
    facets: facets(facetRows),
    nextCursor: last ? encodeSearchCursor([last.cursor_key, last.task.id]) : null,
  };
}

function highlights(row: HitRow): SearchHit['highlights'] {
  const marked = (text: string | null) =>
    text !== null && text.includes(open) ? highlightPieces(text, open, close) : undefined;
  const title = marked(row.title_marked);
  const description = marked(row.description_marked);
  return { ...(title ? { title } : {}), ...(description ? { description } : {}) };
}

/** Most first, then by value in byte order (as OpenSearch's terms aggregation orders keys). */
const byCount = (a: FacetCount, b: FacetCount) =>
  b.count - a.count || Buffer.compare(Buffer.from(a.value), Buffer.from(b.value));

function facets(rows: readonly { facet: string; value: string; count: string }[]): SearchFacets {
  const of = (facet: string): FacetCount[] =>
    rows
      .filter((row) => row.facet === facet)
      .map((row) => ({ value: row.value, count: Number(row.count) }))
      .sort(byCount)
      .slice(0, facetSize);
  return {
    board: of('board'),
    assignee: of('assignee'),
    label: of('label'),
    priority: of('priority'),
    status: of('status'),
  };
}
