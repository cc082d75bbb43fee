import { isUuid } from '../queries/cursor.js';
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
  type SearchFacets,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
  type SearchSort,
} from './searchIndex.port.js';

/** The part of a `_search` answer the adapter reads. */
export interface OpenSearchHits {
  readonly hits: {
    readonly total: { readonly value: number };
    readonly hits: readonly {
      readonly _source: SearchHit['task'];
      readonly sort: readonly (number | string)[];
      readonly highlight?: { readonly title?: readonly string[]; readonly description?: readonly string[] };
    }[];
  };
  readonly aggregations?: Record<string, { readonly buckets: readonly { key: string; doc_count: number }[] }>;
}

const open = highlightOpen;
const close = highlightClose;
// Title first, labels, then description and comments: the weights of the PostgreSQL adapter's A/B/C.
const textFields = ['title^3', 'labels.text^2', 'description', 'comments'];
/** Longer words match exactly, as in the PostgreSQL adapter. */
const maxFuzzyLength = 64;

/** Tasks without a due date last in both orders: an explicit far value (search_after gets it back exactly). */
const farFuture = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const farPast = -62_135_596_800_000; // 0001-01-01T00:00:00.000Z

function sortClause(sort: SearchSort, order: 'asc' | 'desc'): unknown[] {
  const byId = { id: { order } };
  switch (sort) {
    case 'relevance':
      return [{ _score: { order: 'desc' } }, { id: { order: 'desc' } }];
    case 'dueDate':
      return [{ dueDate: { order, missing: order === 'asc' ? farFuture : farPast } }, byId];
    case 'priority':
      return [{ priorityRank: { order } }, byId];
    case 'createdAt':
    case 'updatedAt':
      return [{ [sort]: { order } }, byId];
  }
}

function wordClause(word: string, last: boolean): unknown {
  const edits = word.length > maxFuzzyLength ? 0 : allowedEdits(word);
  const fuzzy = {
    multi_match: {
      query: word,
      fields: textFields,
      fuzziness: edits,
      fuzzy_transpositions: false,
      prefix_length: 0,
      max_expansions: 1000,
    },
  };
  if (!last) return fuzzy;
  const prefix = { multi_match: { query: word, fields: textFields, type: 'phrase_prefix', max_expansions: 1000 } };
  return { bool: { should: [fuzzy, prefix], minimum_should_match: 1 } };
}

function filters(query: SearchQuery, accessIndex: string): unknown[] {
  const filter: unknown[] = [
    // Membership inside the query: the viewer's access document gives the boards (none when missing).
    { terms: { boardId: { index: accessIndex, id: query.viewerId, path: 'boardIds' } } },
    { term: { archived: query.archived ?? false } },
  ];
  if (query.boardIds !== undefined) filter.push({ terms: { boardId: query.boardIds } });
  if (query.columnId !== undefined) filter.push({ term: { columnId: query.columnId } });
  if (query.assigneeId !== undefined) filter.push({ term: { assigneeIds: query.assigneeId } });
  if (query.label !== undefined) filter.push({ term: { labels: query.label } });
  if (query.priority !== undefined) filter.push({ term: { priority: query.priority } });
  if (query.status !== undefined) filter.push({ term: { status: query.status } });
  if (query.dueFrom !== undefined || query.dueBefore !== undefined) {
    const range: Record<string, string> = {};
    if (query.dueFrom !== undefined) range.gte = new Date(query.dueFrom).toISOString();
    if (query.dueBefore !== undefined) range.lt = new Date(query.dueBefore).toISOString();
    filter.push({ range: { dueDate: range } });
  }
  return filter;
}

const facetFields = {
  board: 'boardId',
  assignee: 'assigneeIds',
  label: 'labels',
  priority: 'priority',
  status: 'status',
};

/** The `_search` body of a query, and how to read its answer; null when nothing can match (a malformed id). */
export function openSearchQuery(
  query: SearchQuery,
  accessIndex: string,
): { body: unknown; read(answer: OpenSearchHits): SearchResult } | null {
  validateSearchQuery(query);
  const { sort, order } = effectiveSort(query);
  const after =
    query.cursor === undefined
      ? undefined
      : decodeSearchCursor(
          query.cursor,
          (values) =>
            values.length === 2 &&
            typeof values[0] === 'number' &&
            Number.isFinite(values[0]) &&
            typeof values[1] === 'string' &&
            isUuid(values[1]),
        );
  const ids = [query.viewerId, query.columnId, query.assigneeId, ...(query.boardIds ?? [])];
  if (ids.some((id) => id !== undefined && !isUuid(id))) return null;
  const words = queryWords(query.text);
  const body = {
    size: query.limit + 1,
    track_total_hits: true,
    _source: { excludes: ['comments', 'revision', 'priorityRank'] },
    query: {
      bool: {
        filter: filters(query, accessIndex),
        ...(words.length > 0 ? { must: words.map((word, i) => wordClause(word, i === words.length - 1)) } : {}),
      },
    },
    sort: sortClause(sort, order),
    ...(after ? { search_after: after } : {}),
    ...(words.length > 0
      ? {
          highlight: {
            pre_tags: [open],
            post_tags: [close],
            number_of_fragments: 0,
            fields: { title: {}, description: {} },
          },
        }
      : {}),
    aggs: Object.fromEntries(
      Object.entries(facetFields).map(([name, field]) => [
        name,
        { terms: { field, size: facetSize, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
      ]),
    ),
  };
  return {
    body,
    read(answer) {
      const hits = answer.hits.hits;
      const page = hits.slice(0, query.limit);
      const last = hits.length > query.limit ? page.at(-1) : undefined;
      const bucket = (name: keyof SearchFacets) =>
        (answer.aggregations?.[name]?.buckets ?? []).map((b) => ({ value: String(b.key), count: b.doc_count }));
      return {
        items: page.map((hit) => {
          const title = hit.highlight?.title?.[0];
          const description = hit.highlight?.description?.[0];
          return {
            task: hit._source,
            highlights: {
              ...(title ? { title: highlightPieces(title, open, close) } : {}),
              ...(description ? { description: highlightPieces(description, open, close) } : {}),
            },
          };
        }),
        total: answer.hits.total.value,
        facets: {
          board: bucket('board'),
          assignee: bucket('assignee'),
          label: bucket('label'),
          priority: bucket('priority'),
          status: bucket('status'),
        },
        nextCursor: last ? encodeSearchCursor(last.sort) : null,
      };
    },
  };
}
