import { setTaskFollow } from '@primetrade/read-model';
import type { BoardRouteDeps } from '../boards/boardApi.deps.js';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser, type AppContext } from '../http/state.js';
import { findTask } from '../tasks/tasks.lookup.js';
import { taskParams } from '../tasks/tasks.schemas.js';
import { followResult } from './notifications.schemas.js';

const tags = ['notifications'];

/**
 * Follow or stop following a task's changes (issue 5). Creators, assignees and commenters follow
 * automatically; these record an explicit choice, which wins over that (ADR 0011). Any member who
 * may see the task may follow it; others get the task's 404.
 */
export function registerFollowRoutes(registrar: RouteRegistrar, deps: BoardRouteDeps): void {
  const choose = async (ctx: AppContext, taskId: string, following: boolean) => {
    const userId = requireUser(ctx).id;
    await findTask(deps, taskId, userId);
    await setTaskFollow(deps.sql, { userId, taskId, following, at: deps.clock() });
    ctx.body = { taskId, following };
  };

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/tasks/:taskId/follow',
      summary: "Follow a task's changes",
      tags,
      params: taskParams,
      responses: { 200: { description: 'Following', schema: followResult } },
    },
    (ctx, { params }) => choose(ctx, params.taskId, true),
  );

  defineRoute(
    registrar,
    {
      method: 'delete',
      path: '/tasks/:taskId/follow',
      summary: "Stop following a task's changes (also the automatic following)",
      tags,
      params: taskParams,
      responses: { 200: { description: 'Not following', schema: followResult } },
    },
    (ctx, { params }) => choose(ctx, params.taskId, false),
  );
}
