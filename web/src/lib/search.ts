import type {
  Highlight,
  Priority,
  SearchFacetKind,
  SearchFacetsDto,
  SearchHitDto,
  SearchResultDto,
} from '@primetrade/domain';

/** `GET /api/v1/search` (docs/api.md "Search"): what the client sends and reads. */
export type FacetKind = SearchFacetKind;
export const facetKinds: readonly FacetKind[] = ['board', 'assignee', 'label', 'priority', 'status'];

export interface SearchFilters {
  readonly boardIds: readonly string[];
  readonly assigneeId?: string | undefined;
  readonly label?: string | undefined;
  readonly priority?: Priority | undefined;
  readonly status?: 'open' | 'completed' | undefined;
}

export interface SearchRequest {
  readonly q: string;
  readonly filters: SearchFilters;
}

export type HighlightPieces = Highlight;
export type { SearchFacetsDto, SearchHitDto, SearchResultDto };

export const emptyFacets: SearchFacetsDto = { board: [], assignee: [], label: [], priority: [], status: [] };
export const emptyRequest: SearchRequest = { q: '', filters: { boardIds: [] } };

type SingleKind = Exclude<FacetKind, 'board'>;
const singleKinds: readonly SingleKind[] = ['assignee', 'label', 'priority', 'status'];
/** The filter (and URL parameter) a one-value facet sets. */
const filterKey = (kind: SingleKind) => (kind === 'assignee' ? 'assigneeId' : kind);

/** The request as URL parameters, in a stable order (the same request, the same string). */
export function searchParams(request: SearchRequest): URLSearchParams {
  const params = new URLSearchParams();
  if (request.q.trim() !== '') params.set('q', request.q.trim());
  if (request.filters.boardIds.length > 0) params.set('boardId', request.filters.boardIds.join(','));
  for (const kind of singleKinds) {
    const value = request.filters[filterKey(kind)];
    if (value !== undefined) params.set(filterKey(kind), value);
  }
  return params;
}

const priorities: readonly string[] = ['low', 'medium', 'high', 'urgent'];

/** The request a `#/search?…` route names; unknown or malformed values are dropped (the server would refuse them). */
export function parseSearchParams(params: URLSearchParams): SearchRequest {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const boardIds = (params.get('boardId') ?? '').split(',').filter((item) => uuid.test(item));
  const assigneeId = params.get('assigneeId') ?? undefined;
  const label = params.get('label')?.trim() || undefined;
  const priority = params.get('priority') ?? '';
  const status = params.get('status');
  return {
    q: (params.get('q') ?? '').slice(0, 200),
    filters: {
      boardIds,
      ...(assigneeId !== undefined && uuid.test(assigneeId) ? { assigneeId } : {}),
      ...(label !== undefined ? { label: label.slice(0, 40) } : {}),
      ...(priorities.includes(priority) ? { priority: priority as Priority } : {}),
      ...(status === 'open' || status === 'completed' ? { status } : {}),
    },
  };
}

export const searchHref = (request: SearchRequest): string => {
  const query = searchParams(request).toString();
  return query === '' ? '#/search' : `#/search?${query}`;
};

export function isFacetActive(filters: SearchFilters, kind: FacetKind, value: string): boolean {
  return kind === 'board' ? filters.boardIds.includes(value) : filters[filterKey(kind)] === value;
}

/** A facet value clicked: boards add to or leave the set; the other facets pick one value or clear it. */
export function toggleFacet(filters: SearchFilters, kind: FacetKind, value: string): SearchFilters {
  if (kind === 'board') {
    const boardIds = filters.boardIds.includes(value)
      ? filters.boardIds.filter((item) => item !== value)
      : [...filters.boardIds, value];
    return { ...filters, boardIds };
  }
  const key = filterKey(kind);
  if (filters[key] !== value) return { ...filters, [key]: value };
  const { [key]: _cleared, ...rest } = filters;
  return rest;
}

/** ↑/↓ through `count` results: -1 is "none selected" (the search box); ↑ from the first goes back to it. */
export function moveSelection(current: number, key: 'ArrowUp' | 'ArrowDown', count: number): number {
  if (count === 0) return -1;
  if (key === 'ArrowDown') return Math.min(current + 1, count - 1);
  return Math.max(current - 1, -1);
}

/** A facet's values to show: the server's counts, plus the chosen values it no longer counts (0), so each can be cleared. */
export function facetEntries(
  facets: SearchFacetsDto,
  filters: SearchFilters,
  kind: FacetKind,
): readonly { readonly value: string; readonly count: number }[] {
  const chosen =
    kind === 'board' ? filters.boardIds : [filters[filterKey(kind)]].filter((value) => value !== undefined);
  const counted = new Set(facets[kind].map((facet) => facet.value));
  return [...facets[kind], ...chosen.filter((value) => !counted.has(value)).map((value) => ({ value, count: 0 }))];
}
