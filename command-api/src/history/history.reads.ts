import { boardStreamId, DomainError, type BoardState, type Envelope } from '@primetrade/domain';
import { toEnvelope } from '@primetrade/platform';
import {
  boardStateAt,
  historyCoverage,
  historyPageRows,
  historyRows,
  lastRevisionAtOrBefore,
  occurredAtOf,
  type HistoryRowFilter,
} from '@primetrade/read-model';
import type { BoardRouteDeps } from '../boards/boardApi.deps.js';
import { requireBoardMember } from '../boards/boardAccess.js';
import { boardNotFound, isMemberIn } from '../boards/stateViews.js';
import { historyOf, pageOfHistory, stateAt, type HistoryEntry, type HistoryFilter } from './history.js';

/**
 * History and time travel for the routes (docs/api.md "History and replay", ADR 0020): answered from
 * the history read model at the revision it has applied (`Min-Revision` waits for a write), in
 * O(page) and O(K). A board the read model does not cover from its first event — projected before
 * the history read model existed, until a rebuild — is folded from its stream as before; the answers
 * are the same either way.
 */
export interface HistoryPage {
  readonly entries: HistoryEntry[];
  readonly nextBefore: number | null;
  readonly revision: number;
}

export type PageQuery = HistoryFilter & { readonly before?: number | undefined; readonly limit: number };

/** The read-model filter of a route's filter: instants as `Date.parse` reads them. */
const rowFilter = (filter: HistoryFilter): HistoryRowFilter => ({
  taskId: filter.taskId,
  actorId: filter.actorId,
  fromMs: filter.from === undefined ? undefined : Date.parse(filter.from),
  toMs: filter.to === undefined ? undefined : Date.parse(filter.to),
});

/** The board's whole stream from the store, for a current member (by the store-folded state). */
export async function memberStream(deps: BoardRouteDeps, boardId: string, userId: string): Promise<Envelope[]> {
  const state = await deps.commands.load(boardId);
  if (!isMemberIn(state, userId)) throw boardNotFound();
  return (await deps.store.readStream(boardStreamId(boardId))).map(toEnvelope);
}

/** The board's head in the read model when its history rows cover the whole stream, else null. */
async function coveredHead(deps: BoardRouteDeps, boardId: string, userId: string): Promise<number | null> {
  await requireBoardMember(deps, boardId, userId);
  const coverage = await historyCoverage(deps.sql, boardId);
  return coverage?.complete ? coverage.head : null;
}

export async function readHistoryPage(
  deps: BoardRouteDeps,
  boardId: string,
  userId: string,
  query: PageQuery,
): Promise<HistoryPage> {
  const head = await coveredHead(deps, boardId, userId);
  if (head === null) return pageOfHistory(await memberStream(deps, boardId, userId), query);
  const { entries, more } = await historyPageRows(deps.sql, boardId, head, {
    ...rowFilter(query),
    before: query.before,
    limit: query.limit,
  });
  return { entries, nextBefore: more ? (entries.at(-1)?.revision ?? null) : null, revision: head };
}

/** Every matching entry, oldest first, and the revision read at. */
export async function readHistory(
  deps: BoardRouteDeps,
  boardId: string,
  userId: string,
  filter: HistoryFilter,
): Promise<{ entries: HistoryEntry[]; revision: number }> {
  const head = await coveredHead(deps, boardId, userId);
  if (head === null) {
    const events = await memberStream(deps, boardId, userId);
    return { entries: historyOf(events, filter), revision: events.at(-1)?.revision ?? -1 };
  }
  return { entries: await historyRows(deps.sql, boardId, head, rowFilter(filter)), revision: head };
}

export interface BoardThen {
  readonly state: BoardState;
  readonly occurredAt: string;
  readonly head: number;
}

const notYet = (head: number) =>
  new DomainError('VALIDATION.FAILED', `The board is at revision ${head}`, [
    { field: 'revision', message: `must be at most ${head}` },
  ]);

/** The board at a revision or an instant: the nearest snapshot and the history rows after it. */
export async function readBoardAt(
  deps: BoardRouteDeps,
  boardId: string,
  userId: string,
  point: { readonly revision?: number | undefined; readonly at?: string | undefined },
): Promise<BoardThen> {
  const head = await coveredHead(deps, boardId, userId);
  if (head === null) return foldedBoardAt(await memberStream(deps, boardId, userId), point);
  if (point.revision !== undefined && point.revision > head) throw notYet(head);
  let target = point.revision ?? head;
  if (point.at !== undefined)
    target = Math.min(target, await lastRevisionAtOrBefore(deps.sql, boardId, head, Date.parse(point.at)));
  const then = await boardStateAt(deps.sql, boardId, target);
  // Coverage was checked a moment ago and rows are never deleted: a gap here is a bug, not a state.
  if (then === null) throw new Error(`History rows of board ${boardId} up to ${target} are incomplete`);
  const state = then.state;
  const revision = state.status === 'initial' ? -1 : state.revision;
  return { state, occurredAt: (await occurredAtOf(deps.sql, boardId, revision)) ?? '', head };
}

function foldedBoardAt(
  events: readonly Envelope[],
  point: { readonly revision?: number | undefined; readonly at?: string | undefined },
): BoardThen {
  const head = events.at(-1)?.revision ?? -1;
  if (point.revision !== undefined && point.revision > head) throw notYet(head);
  const state = stateAt(events, point);
  const revision = state.status === 'initial' ? -1 : state.revision;
  return { state, occurredAt: events[revision]?.occurredAt ?? '', head };
}
