import {
  DomainError,
  isIsoInstant,
  priorities,
  type Highlight,
  type SearchFacetsDto,
  type SearchHitDto,
  type SearchResultDto,
  type SearchTaskDto,
} from '@primetrade/domain';
import type { TaskFilterFields } from '../queries/tasks.queries.js';

/**
 * The search port (docs/adr/0024-search-engine.md): a task index of its own, written by the search
 * projection with a per-board revision guard, and one query across every board the viewer may see.
 * Adapters: PostgreSQL full text (`pgSearchIndex.ts`) and OpenSearch (`openSearchIndex.ts`); one
 * contract suite (`searchIndex.contractSuite.ts`) runs on both.
 */

/** What the index holds of a task (ids as UUIDs, instants as ISO 8601): the wire's task and its comments. */
export interface SearchTaskDocument extends SearchTaskDto {
  /** Comment bodies, searchable, never returned. */
  readonly comments: readonly string[];
}

/**
 * One board's changes at one stream revision. Applied only when `revision` is above the board's
 * last applied revision (duplicates after a replay change nothing); the caller keeps the order.
 */
export interface SearchBoardChange {
  readonly boardId: string;
  readonly revision: number;
  /** Whole documents: a task's new state replaces what the index held. */
  readonly upserts?: readonly SearchTaskDocument[];
  readonly deletes?: readonly string[];
  /** The board's members after this revision (the whole set), when it changed. */
  readonly memberIds?: readonly string[];
  /**
   * The first revision the change covers (a batch's first event of the board). When the index holds
   * the board below `fromRevision − 1`, an earlier change never reached it: `apply` throws
   * `SearchGapError` before writing anything. Checked by `apply` itself, in the generation it writes
   * to, so a rebuild's switch between a check and a write cannot skip the gap.
   */
  readonly fromRevision?: number;
}

/**
 * The index holds a board below the revision before a change: an earlier change never reached it.
 * During a rebuild's switch that is the live feed ahead of the new generation's own feed, which
 * fills the gap (docs/adr/0026-search-projection.md, "Gaps"); otherwise the index lost writes (it
 * was emptied under the feed's position) and a rebuild is the cure.
 */
export class SearchGapError extends Error {
  override readonly name = 'SearchGapError';
}

/** Throws `SearchGapError` for the first change whose board the index holds below `fromRevision − 1`. */
export async function assertNoGaps(
  changes: readonly SearchBoardChange[],
  revisionOf: (boardId: string) => Promise<number | null>,
): Promise<void> {
  for (const change of changes) {
    if (change.fromRevision === undefined) continue;
    const applied = (await revisionOf(change.boardId)) ?? -1;
    if (applied < change.fromRevision - 1)
      throw new SearchGapError(
        `board ${change.boardId}: the index holds revision ${applied}, the batch starts at ${change.fromRevision}`,
      );
  }
}

export const searchSorts = ['relevance', 'dueDate', 'updatedAt', 'createdAt', 'priority'] as const;
export type SearchSort = (typeof searchSorts)[number];

export interface SearchQuery extends TaskFilterFields {
  /** Only tasks of boards this user is a member of: enforced inside the query. */
  readonly viewerId: string;
  /** Free text over title, labels, description and comments: every word must match (typos tolerated), the last also as a prefix. */
  readonly text?: string | undefined;
  /** Narrows to these boards (still only the viewer's). */
  readonly boardIds?: readonly string[] | undefined;
  /** ISO instant: due on or after it. */
  readonly dueFrom?: string | undefined;
  /** ISO instant: due strictly before it. */
  readonly dueBefore?: string | undefined;
  /** Default: relevance with text, `updatedAt` descending without. */
  readonly sort?: SearchSort | undefined;
  /** Ignored for relevance (best first). Default desc. Tasks without a due date come last either way. */
  readonly order?: 'asc' | 'desc' | undefined;
  readonly cursor?: string | undefined;
  /** 1..100. */
  readonly limit: number;
}

export type { FacetCount, Highlight } from '@primetrade/domain';
/** The port answers the wire's shapes (domain/src/search.dto.ts). */
export type SearchHit = SearchHitDto;
export type SearchFacets = SearchFacetsDto;
export type SearchResult = SearchResultDto;

export interface SearchIndex {
  readonly kind: 'postgres' | 'opensearch';
  /**
   * Applies the changes in order, each board's only above its last applied revision; first checks
   * every change's `fromRevision` (`SearchGapError`, nothing written).
   */
  apply(changes: readonly SearchBoardChange[]): Promise<void>;
  /** The board's last applied revision (the projection's guard: a gap halts), null if none. */
  boardRevision(boardId: string): Promise<number | null>;
  search(query: SearchQuery): Promise<SearchResult>;
}

export const facetSize = 50;
export const maxSearchLimit = 100;

/** Typo tolerance both adapters share (OpenSearch's `fuzziness: AUTO`): edits allowed by word length. */
export const allowedEdits = (word: string): number => {
  const length = [...word].length;
  return length <= 2 ? 0 : length <= 5 ? 1 : 2;
};

/** Letters that lose no mark under NFD but fold all the same (as PostgreSQL's unaccent and Lucene's asciifolding do). */
const foldedLetters: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/** Lower case without accents: "Crème Brûlée" → "creme brulee", "Straße" → "strasse". */
export const foldAccents = (text: string): string =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[ßæœøłđðþı]/g, (letter) => foldedLetters[letter] ?? letter)
    .normalize('NFC');

/** The query's words as both adapters see them: lower-cased, accent-folded runs of letters and digits. */
export const queryWords = (text: string | undefined): string[] =>
  foldAccents(text ?? '')
    .match(/[\p{L}\p{N}]+/gu)
    ?.slice(0, 16) ?? [];

/**
 * What both adapters ask their highlighter to wrap matched words in: private-use characters, which
 * task text does not hold and engines pass through, so the pieces are split without any HTML escaping.
 */
export const highlightOpen = '\uE000';
export const highlightClose = '\uE001';

/** Pieces of a field whose matched words a highlighter wrapped in `open`/`close`. */
export function highlightPieces(marked: string, open: string, close: string): Highlight {
  const pieces: { text: string; match: boolean }[] = [];
  let rest = marked;
  while (rest.length > 0) {
    const start = rest.indexOf(open);
    if (start < 0) {
      pieces.push({ text: rest, match: false });
      break;
    }
    if (start > 0) pieces.push({ text: rest.slice(0, start), match: false });
    const end = rest.indexOf(close, start + open.length);
    const stop = end < 0 ? rest.length : end;
    pieces.push({ text: rest.slice(start + open.length, stop), match: true });
    rest = end < 0 ? '' : rest.slice(end + close.length);
  }
  // Adjacent matches ("<m>a</m> <m>b</m>" stays three pieces; "<m>a</m><m>b</m>" becomes one).
  return pieces.reduce<{ text: string; match: boolean }[]>((merged, piece) => {
    const last = merged.at(-1);
    if (last && last.match === piece.match) last.text += piece.text;
    else merged.push({ ...piece });
    return merged;
  }, []);
}

const invalid = (field: string, message: string) =>
  new DomainError('VALIDATION.FAILED', `${field}: ${message}`, [{ field: `query.${field}`, message }]);

/** Checks what both adapters rely on; throws VALIDATION.FAILED (a 400) otherwise. */
export function validateSearchQuery(query: SearchQuery): void {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > maxSearchLimit)
    throw invalid('limit', `Expected an integer from 1 to ${maxSearchLimit}`);
  for (const field of ['dueFrom', 'dueBefore'] as const) {
    const value = query[field];
    if (value !== undefined && (!isIsoInstant(value) || Number.isNaN(Date.parse(value))))
      throw invalid(field, 'Expected an ISO 8601 instant');
  }
  if (query.priority !== undefined && !priorities.includes(query.priority))
    throw invalid('priority', 'Unknown priority');
  if (query.sort !== undefined && !searchSorts.includes(query.sort)) throw invalid('sort', 'Unknown sort');
}

/** The sort a query runs with: relevance needs words to rank by. */
export function effectiveSort(query: SearchQuery): { sort: SearchSort; order: 'asc' | 'desc' } {
  const sort = query.sort ?? (queryWords(query.text).length > 0 ? 'relevance' : 'updatedAt');
  if (sort === 'relevance' && queryWords(query.text).length === 0) return { sort: 'updatedAt', order: 'desc' };
  return { sort, order: sort === 'relevance' ? 'desc' : (query.order ?? 'desc') };
}

/** Opaque cursors: base64url of the adapter's JSON sort values. */
export const encodeSearchCursor = (values: readonly unknown[]): string =>
  Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');

export function decodeSearchCursor(cursor: string, check: (values: unknown[]) => boolean): unknown[] {
  let values: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = null;
  }
  if (!Array.isArray(values) || !check(values))
    throw invalid('cursor', 'Pass back a nextCursor from a previous page, unchanged');
  return values;
}
