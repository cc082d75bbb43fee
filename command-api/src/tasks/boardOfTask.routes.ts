import { defineRoute, type RouteRegistrar } from '../http/route.js';
import type { BoardRouteDeps } from '../boards/boardApi.deps.js';
import { getBoardIdOfTask } from '@primetrade/read-model';
import { taskParams } from './tasks.schemas.js';

/**
 * For nginx only (docs/adr/0015-nginx-front-door.md): task URLs carry no board id, and board
 * affinity needs one. nginx asks here (an `auth_request` with the caller's own token) and hashes
 * on `X-Board-Id`. Always 204, so a lookup never refuses the request itself: the route it precedes
 * decides (a task unknown here hashes on its own id). The answer is a board id, which opens
 * nothing: every board route checks membership. nginx answers 404 to `/api/v1/internal/` from outside.
 */
export function registerBoardOfTaskRoutes(registrar: RouteRegistrar, deps: BoardRouteDeps): void {
  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/internal/board-of-task/:taskId',
      summary: 'The board of a task, for the proxy (X-Board-Id)',
      tags: ['internal'],
      minRevision: false,
      params: taskParams,
      responses: { 204: { description: 'X-Board-Id names the board when the task is known' } },
    },
    async (ctx, { params }) => {
      const boardId = deps.commands.findBoardOfTask(params.taskId) ?? (await getBoardIdOfTask(deps.sql, params.taskId));
      if (boardId !== null) ctx.set('X-Board-Id', boardId);
      ctx.status = 204;
    },
  );
}
