import { boardStreamId } from '@primetrade/domain';
import { getMemberStanding } from '@primetrade/read-model';
import type { BoardRouteDeps } from './boardApi.deps.js';
import { boardNotFound, isMemberIn } from './stateViews.js';

/**
 * Reads are for members only; a non-member gets 404, never 403, so board ids leak nothing.
 * The read model answers when it is current with the store. When it is behind (or says "no"),
 * the store-folded state decides: a member added a moment ago may read at once, and a member
 * removed a moment ago may not, however far the projector lags.
 */
export async function requireBoardMember(deps: BoardRouteDeps, boardId: string, userId: string): Promise<void> {
  const [{ role, revision: projected }, stored] = await Promise.all([
    getMemberStanding(deps.sql, boardId, userId),
    deps.store.streamRevision(boardStreamId(boardId)),
  ]);
  if (role !== null && projected !== null && stored !== null && BigInt(projected) >= stored) return;
  if (isMemberIn(await deps.commands.load(boardId), userId)) return;
  throw boardNotFound();
}
