import type { Priority } from './board.events.js';
import type { TaskStatus } from './board.state.js';

/**
 * `GET /search` on the wire (docs/api.md "Search"): what the search port answers
 * (read-model/src/search/searchIndex.port.ts), the server sends and the web client reads.
 */
export interface SearchTaskDto {
  readonly id: string;
  readonly boardId: string;
  readonly columnId: string;
  readonly title: string;
  readonly description: string;
  readonly labels: readonly string[];
  readonly assigneeIds: readonly string[];
  readonly priority: Priority;
  readonly dueDate: string | null;
  readonly status: TaskStatus;
  readonly archived: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A highlighted field: its whole text cut into pieces, `match` on the words the query found. */
export type Highlight = readonly { readonly text: string; readonly match: boolean }[];

export interface SearchHitDto {
  readonly task: SearchTaskDto;
  readonly highlights: { readonly title?: Highlight; readonly description?: Highlight };
}

export type SearchFacetKind = 'board' | 'assignee' | 'label' | 'priority' | 'status';

export interface FacetCount {
  readonly value: string;
  readonly count: number;
}

/** Counts over every task the query matches (all filters applied), most first, then by value; at most 50 each. */
export type SearchFacetsDto = Readonly<Record<SearchFacetKind, readonly FacetCount[]>>;

export interface SearchResultDto {
  readonly items: readonly SearchHitDto[];
  readonly total: number;
  readonly facets: SearchFacetsDto;
  /** Opaque; null on the last page. Only valid with the same query and the same adapter. */
  readonly nextCursor: string | null;
}
