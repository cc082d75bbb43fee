import { createMemoryCache } from '@primetrade/platform';
import type { RouteRegistrar } from '../http/route.js';
import { createCommandHandler } from '../commands/handleCommand.js';
import { registerEventRoutes } from '../events/events.routes.js';
import { registerHistoryRoutes } from '../history/history.routes.js';
import { registerFollowRoutes } from '../notifications/follows.routes.js';
import { registerStatsRoutes } from '../stats/stats.routes.js';
import { createStatsCache } from '../stats/statsCache.js';
import { registerBoardOfTaskRoutes } from '../tasks/boardOfTask.routes.js';
import { registerCommentRoutes } from '../tasks/comments.routes.js';
import { registerTaskRoutes } from '../tasks/tasks.routes.js';
import type { BoardApiDeps, BoardRouteDeps } from './boardApi.deps.js';
import { registerBoardRoutes } from './boards.routes.js';
import { registerColumnRoutes } from './columns.routes.js';
import { registerColumnPageRoutes } from './columnPages.routes.js';
import { registerMemberRoutes } from './members.routes.js';

export type { BoardApiDeps } from './boardApi.deps.js';

/** Boards, members, columns, tasks, comments and the event feed under the registrar's prefix. */
export function registerBoardApi(registrar: RouteRegistrar, deps: BoardApiDeps): void {
  const commands =
    deps.commands ??
    createCommandHandler({
      store: deps.store,
      logger: deps.logger,
      metrics: deps.metrics,
      newId: deps.newId,
      conflictRetry: deps.conflictDeadlineMs === undefined ? undefined : { deadlineMs: deps.conflictDeadlineMs },
    });
  const routeDeps: BoardRouteDeps = { ...deps, commands };
  registerBoardRoutes(registrar, routeDeps);
  registerMemberRoutes(registrar, routeDeps);
  registerColumnRoutes(registrar, routeDeps);
  registerColumnPageRoutes(registrar, routeDeps);
  registerTaskRoutes(registrar, routeDeps);
  registerCommentRoutes(registrar, routeDeps);
  registerBoardOfTaskRoutes(registrar, routeDeps);
  registerEventRoutes(registrar, routeDeps);
  registerHistoryRoutes(registrar, routeDeps);
  registerFollowRoutes(registrar, routeDeps);
  registerStatsRoutes(registrar, routeDeps, createStatsCache(deps.statsCache ?? createMemoryCache()));
}
