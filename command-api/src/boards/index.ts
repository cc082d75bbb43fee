import { createMemoryCache } from '@primetrade/platform';
import type { RouteRegistrar } from '../http/route.js';
import { createCommandHandler } from '../commands/handleCommand.js';
import { eventsRoutes } from '../events/events.routes.js';
import { historyRoutes } from '../history/history.routes.js';
import { followRoutes } from '../notifications/follows.routes.js';
import { statsRoutes } from '../stats/stats.routes.js';
import { createStatsCache } from '../stats/statsCache.js';
import { boardOfTaskRoutes } from '../tasks/boardOfTask.routes.js';
import { commentsRoutes } from '../tasks/comments.routes.js';
import { tasksRoutes } from '../tasks/tasks.routes.js';
import type { BoardApiDeps, BoardRouteDeps } from './boardApi.deps.js';
import { boardsRoutes } from './boards.routes.js';
import { columnsRoutes } from './columns.routes.js';
import { membersRoutes } from './members.routes.js';

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
  boardsRoutes(registrar, routeDeps);
  membersRoutes(registrar, routeDeps);
  columnsRoutes(registrar, routeDeps);
  tasksRoutes(registrar, routeDeps);
  commentsRoutes(registrar, routeDeps);
  boardOfTaskRoutes(registrar, routeDeps);
  eventsRoutes(registrar, routeDeps);
  historyRoutes(registrar, routeDeps);
  followRoutes(registrar, routeDeps);
  statsRoutes(registrar, routeDeps, createStatsCache(deps.statsCache ?? createMemoryCache()));
}
