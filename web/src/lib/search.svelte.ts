import { api } from './api.js';
import { ApiError } from './problems.js';
import {
  emptyFacets,
  emptyRequest,
  moveSelection,
  searchHref,
  type SearchFacetsDto,
  type SearchHitDto,
  type SearchRequest,
} from './search.js';

export type SearchStatus = 'idle' | 'loading' | 'ready' | 'error' | 'unavailable';

export interface SearchOptions {
  readonly pageSize?: number;
  /** Wait before asking again while the search engine answers 503. Default 2 s. */
  readonly retryMs?: number;
}

/**
 * Search across all my boards (docs/api.md "Search"): the route's request, its first page, more pages
 * by cursor, the facet counts, and the keyboard selection. An answer to an older request is dropped;
 * while the search engine is unavailable it asks again every `retryMs` until `dispose`.
 */
export class SearchResults {
  #request = $state.raw<SearchRequest>(emptyRequest);
  #items = $state.raw<readonly SearchHitDto[]>([]);
  #total = $state(0);
  #facets = $state.raw<SearchFacetsDto>(emptyFacets);
  #nextCursor = $state.raw<string | null>(null);
  #status = $state<SearchStatus>('idle');
  #error = $state<string | null>(null);
  #selected = $state(-1);
  #generation = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  readonly #pageSize: number;
  readonly #retryMs: number;

  constructor(options: SearchOptions = {}) {
    this.#pageSize = options.pageSize ?? 20;
    this.#retryMs = options.retryMs ?? 2_000;
  }

  get request(): SearchRequest {
    return this.#request;
  }
  get items(): readonly SearchHitDto[] {
    return this.#items;
  }
  get total(): number {
    return this.#total;
  }
  get facets(): SearchFacetsDto {
    return this.#facets;
  }
  get hasMore(): boolean {
    return this.#nextCursor !== null;
  }
  get status(): SearchStatus {
    return this.#status;
  }
  get error(): string | null {
    return this.#error;
  }
  get selected(): number {
    return this.#selected;
  }
  get selectedHit(): SearchHitDto | null {
    return this.#items[this.#selected] ?? null;
  }

  /** Runs `request` from its first page; the same request again does nothing while it is shown or loading. */
  async run(request: SearchRequest): Promise<void> {
    if (searchHref(request) === searchHref(this.#request) && this.#status !== 'idle' && this.#status !== 'error')
      return;
    this.#request = request;
    this.#items = [];
    this.#total = 0;
    this.#facets = emptyFacets;
    this.#nextCursor = null;
    this.#selected = -1;
    await this.#fetch(null);
  }

  async loadMore(): Promise<void> {
    if (this.#nextCursor !== null && this.#status === 'ready') await this.#fetch(this.#nextCursor);
  }

  /** ↑/↓ move through the results (↑ from the first leaves them); Escape clears the selection. */
  move(key: 'ArrowUp' | 'ArrowDown'): void {
    this.#selected = moveSelection(this.#selected, key, this.#items.length);
  }
  clearSelection(): void {
    this.#selected = -1;
  }

  dispose(): void {
    clearTimeout(this.#retry);
    this.#generation += 1;
  }

  async #fetch(cursor: string | null): Promise<void> {
    clearTimeout(this.#retry);
    const generation = ++this.#generation;
    const request = this.#request;
    this.#status = 'loading';
    this.#error = null;
    try {
      const { data } = await api.search(request, cursor, this.#pageSize);
      if (generation !== this.#generation) return;
      this.#items = cursor === null ? data.items : [...this.#items, ...data.items];
      this.#total = data.total;
      this.#facets = data.facets;
      this.#nextCursor = data.nextCursor;
      this.#status = 'ready';
    } catch (error) {
      if (generation !== this.#generation) return;
      if (error instanceof ApiError && error.code === 'SERVICE.UNAVAILABLE') {
        this.#status = 'unavailable';
        this.#retry = setTimeout(() => void this.#fetch(cursor), this.#retryMs);
        return;
      }
      this.#status = 'error';
      this.#error = error instanceof ApiError ? error.detail || error.title : String(error);
    }
  }
}
