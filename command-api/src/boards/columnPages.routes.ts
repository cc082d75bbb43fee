import { DomainError } from '@primetrade/domain';
import { listColumnTasks } from '@primetrade/read-model';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser } from '../http/state.js';
import { setRevision } from '../commands/commandHttp.js';
import type { BoardRouteDeps } from './boardApi.deps.js';
import { requireBoardMember } from './boardAccess.js';
import { columnTasksQuery } from './boards.schemas.js';
import { columnParams } from './columns.schemas.js';
import { pageOf, taskDto } from './common.schemas.js';
import { z } from 'zod';

/**
 * A column's next page of tasks after the board view's first page (docs/adr/0023-big-boards-column-pages.md).
 * Who may read it is decided exactly as for the board view; `Min-Revision` holds it back like every
 * read of the read models.
 */
export function registerColumnPageRoutes(registrar: RouteRegistrar, deps: BoardRouteDeps): void {
  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/boards/:boardId/columns/:columnId/tasks',
      summary: "A page of a column's non-archived tasks by position (keyset; ETag = the revision read)",
      tags: ['boards'],
      params: columnParams,
      query: columnTasksQuery,
      responses: {
        200: {
          description: 'A page of tasks',
          schema: pageOf(taskDto).extend({ revision: z.number().int() }),
        },
        404: { description: 'No such board for you, or no such column on it' },
      },
    },
    async (ctx, { params, query }) => {
      await requireBoardMember(deps, params.boardId, requireUser(ctx).id);
      const page = await listColumnTasks(deps.sql, params.boardId, params.columnId, query);
      if (page === null) throw new DomainError('COLUMN.NOT_FOUND', 'Column not found');
      setRevision(ctx, page.revision);
      ctx.body = page;
    },
  );
}
