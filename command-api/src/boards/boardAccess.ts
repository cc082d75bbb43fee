import { getMemberRole } from '@primetrade/projector';
import type { BoardRouteDeps } from './boardApi.deps.js';
import { boardNotFound, isMemberIn } from './stateViews.js';

/**
 * Reads are for members only; a non-member gets 404, never 403, so board ids leak nothing.
 * The read model answers first; when it says "no" we ask the store-folded state, because a
 * board created or a member added a few ms ago may not be projected yet.
 */
export async function requireBoardMember(deps: BoardRouteDeps, boardId: string, userId: string): Promise<void> {
  if ((await getMemberRole(deps.sql, boardId, userId)) !== null) return;
  if (isMemberIn(await deps.commands.load(boardId), userId)) return;
  throw boardNotFound();
}
