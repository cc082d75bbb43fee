import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  emptyFacets,
  facetEntries,
  isFacetActive,
  moveSelection,
  parseSearchParams,
  searchHref,
  toggleFacet,
  type SearchHitDto,
  type SearchRequest,
} from './search.js';
import { SearchResults } from './search.svelte.js';

const boardA = '0b5c1a52-8d0e-4d4a-9a8e-000000000001';
const boardB = '0b5c1a52-8d0e-4d4a-9a8e-000000000002';
const hit = (id: string): SearchHitDto => ({
  task: {
    id,
    boardId: boardA,
    columnId: boardB,
    title: `Task ${id}`,
    description: '',
    labels: [],
    assigneeIds: [],
    priority: 'medium',
    dueDate: null,
    status: 'open',
    archived: false,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
  },
  highlights: { title: [{ text: `Task ${id}`, match: false }] },
});
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** Answers `GET /search` from `answer`; records the query strings asked. */
function fakeServer(answer: (params: URLSearchParams, call: number) => Response | Promise<Response>) {
  const asked: URLSearchParams[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      const params = new URL(url, 'http://test').searchParams;
      asked.push(params);
      return answer(params, asked.length);
    }),
  );
  return asked;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('Search request', () => {
  it('round-trips through the #/search route, boards as a comma list', () => {
    const request: SearchRequest = {
      q: 'urgnt fix',
      filters: { boardIds: [boardA, boardB], label: 'bug', priority: 'high', status: 'open' },
    };
    const href = searchHref(request);
    expect(href).toBe(`#/search?q=urgnt+fix&boardId=${boardA}%2C${boardB}&label=bug&priority=high&status=open`);
    expect(parseSearchParams(new URLSearchParams(href.slice('#/search?'.length)))).toEqual(request);
  });

  it('drops what the server would refuse from a hand-made route', () => {
    const parsed = parseSearchParams(new URLSearchParams('q=x&boardId=nope,' + boardA + '&priority=critical&status=x'));
    expect(parsed).toEqual({ q: 'x', filters: { boardIds: [boardA] } });
  });

  it('toggles facets: boards add and leave the set, the others pick one value or clear it', () => {
    let filters = toggleFacet({ boardIds: [] }, 'board', boardA);
    filters = toggleFacet(filters, 'board', boardB);
    expect(filters.boardIds).toEqual([boardA, boardB]);
    expect(toggleFacet(filters, 'board', boardA).boardIds).toEqual([boardB]);
    filters = toggleFacet(filters, 'priority', 'urgent');
    expect(isFacetActive(filters, 'priority', 'urgent')).toBe(true);
    filters = toggleFacet(filters, 'priority', 'low');
    expect(filters.priority).toBe('low');
    expect(toggleFacet(filters, 'priority', 'low')).toEqual({ boardIds: [boardA, boardB] });
    expect(isFacetActive(toggleFacet(filters, 'assignee', boardA), 'assignee', boardA)).toBe(true);
  });

  it('keeps chosen facet values listed (count 0) when the answer no longer counts them, so they can be cleared', () => {
    const facets = { ...emptyFacets, board: [{ value: boardA, count: 2 }] };
    const filters = { boardIds: [boardA, boardB], label: 'bug' };
    expect(facetEntries(facets, filters, 'board')).toEqual([
      { value: boardA, count: 2 },
      { value: boardB, count: 0 },
    ]);
    expect(facetEntries(facets, filters, 'label')).toEqual([{ value: 'bug', count: 0 }]);
    expect(facetEntries(facets, filters, 'priority')).toEqual([]);
  });

  it('moves the selection within the results, ↑ from the first back to the box', () => {
    expect(moveSelection(-1, 'ArrowDown', 3)).toBe(0);
    expect(moveSelection(2, 'ArrowDown', 3)).toBe(2);
    expect(moveSelection(0, 'ArrowUp', 3)).toBe(-1);
    expect(moveSelection(-1, 'ArrowUp', 3)).toBe(-1);
    expect(moveSelection(-1, 'ArrowDown', 0)).toBe(-1);
  });
});

describe('SearchResults', () => {
  const request: SearchRequest = { q: 'urgent', filters: { boardIds: [boardA] } };

  it('loads the first page, then the next by cursor, and keeps the facets and total', async () => {
    const asked = fakeServer((params) =>
      params.get('cursor') === null
        ? json({ items: [hit('1'), hit('2')], total: 3, facets: emptyFacets, nextCursor: 'c1' })
        : json({ items: [hit('3')], total: 3, facets: emptyFacets, nextCursor: null }),
    );
    const results = new SearchResults({ pageSize: 2 });
    await results.run(request);
    expect(results.status).toBe('ready');
    expect(results.hasMore).toBe(true);
    await results.loadMore();
    expect(results.items.map((item) => item.task.id)).toEqual(['1', '2', '3']);
    expect(results.hasMore).toBe(false);
    expect(results.total).toBe(3);
    expect(asked.map((params) => params.toString())).toEqual([
      `q=urgent&boardId=${boardA}&limit=2`,
      `q=urgent&boardId=${boardA}&cursor=c1&limit=2`,
    ]);
    results.move('ArrowDown');
    results.move('ArrowDown');
    expect(results.selectedHit?.task.id).toBe('2');
    results.clearSelection();
    expect(results.selectedHit).toBeNull();
  });

  it('drops the answer to an older request that arrives last', async () => {
    let release: (response: Response) => void = () => undefined;
    fakeServer((params) =>
      params.get('q') === 'slow'
        ? new Promise<Response>((resolve) => (release = resolve))
        : json({ items: [hit('new')], total: 1, facets: emptyFacets, nextCursor: null }),
    );
    const results = new SearchResults();
    const slow = results.run({ q: 'slow', filters: { boardIds: [] } });
    await results.run(request);
    release(json({ items: [hit('old')], total: 1, facets: emptyFacets, nextCursor: null }));
    await slow;
    expect(results.items.map((item) => item.task.id)).toEqual(['new']);
    expect(results.request).toEqual(request);
  });

  it('says the search is unavailable on a 503 and asks again until it answers', async () => {
    vi.useFakeTimers();
    fakeServer((_params, call) =>
      call < 3
        ? json({ code: 'SERVICE.UNAVAILABLE', detail: 'down' }, 503)
        : json({ items: [hit('1')], total: 1, facets: emptyFacets, nextCursor: null }),
    );
    const results = new SearchResults({ retryMs: 1_000 });
    await results.run(request);
    expect(results.status).toBe('unavailable');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(results.status).toBe('unavailable');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(results.status).toBe('ready');
    expect(results.items).toHaveLength(1);
    results.dispose();
  });

  it('shows a refusal as an error and stops', async () => {
    const asked = fakeServer(() =>
      json({ code: 'VALIDATION.FAILED', detail: 'query.limit: too big', errors: [] }, 400),
    );
    const results = new SearchResults();
    await results.run(request);
    expect(results.status).toBe('error');
    expect(results.error).toBe('query.limit: too big');
    expect(asked).toHaveLength(1);
  });
});
