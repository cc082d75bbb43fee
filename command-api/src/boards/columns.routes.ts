import type { BoardCommand, CommandMetadata } from '@primetrade/domain';
import type { z } from 'zod';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { commandMetadata, handleOptions, setRevision, requestIds } from '../commands/commandHttp.js';
import type { BoardRouteDeps } from './boardApi.deps.js';
import { boardParams, columnDto } from './common.schemas.js';
import { addColumnBody, columnParams, updateColumnBody } from './columns.schemas.js';
import { columnDtoOf } from './stateViews.js';

const tags = ['columns'];

/** `AddColumn` from a validated body (also the GraphQL `addColumn` mutation's). */
export const addColumnCommand = (
  columnId: string,
  body: z.infer<typeof addColumnBody>,
  metadata: CommandMetadata,
): BoardCommand => ({
  type: 'AddColumn',
  data: {
    columnId,
    name: body.name,
    isDone: body.isDone,
    wipLimit: body.wipLimit,
    beforeId: body.beforeColumnId,
    afterId: body.afterColumnId,
  },
  metadata,
});

/** One command per aspect the PATCH touches, in a fixed order: rename, WIP limit, move (also GraphQL's). */
export function columnChanges(
  columnId: string,
  body: z.infer<typeof updateColumnBody>,
  metadata: CommandMetadata,
): BoardCommand[] {
  const changes: BoardCommand[] = [];
  if (body.name !== undefined) changes.push({ type: 'RenameColumn', data: { columnId, name: body.name }, metadata });
  if (body.wipLimit !== undefined)
    changes.push({ type: 'SetColumnWipLimit', data: { columnId, wipLimit: body.wipLimit }, metadata });
  if (body.beforeColumnId !== undefined || body.afterColumnId !== undefined) {
    changes.push({
      type: 'MoveColumn',
      data: { columnId, beforeId: body.beforeColumnId, afterId: body.afterColumnId },
      metadata,
    });
  }
  return changes;
}

export function registerColumnRoutes(registrar: RouteRegistrar, deps: BoardRouteDeps): void {
  const { commands, clock, newId } = deps;

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/boards/:boardId/columns',
      summary: 'Add a column (at the end, or before/after another)',
      tags,
      params: boardParams,
      body: addColumnBody,
      responses: { 201: { description: 'The new column', schema: columnDto } },
    },
    async (ctx, { params, body }) => {
      const columnId = requestIds(ctx, newId)();
      const result = await commands.handle(
        params.boardId,
        addColumnCommand(columnId, body, commandMetadata(ctx, clock)),
        handleOptions(ctx),
      );
      ctx.status = 201;
      setRevision(ctx, result.revision);
      ctx.body = columnDtoOf(result.state, columnId);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'patch',
      path: '/boards/:boardId/columns/:columnId',
      summary: 'Rename, set the WIP limit of, or move a column',
      tags,
      params: columnParams,
      body: updateColumnBody,
      responses: { 200: { description: 'The column', schema: columnDto } },
    },
    async (ctx, { params, body }) => {
      const changes = columnChanges(params.columnId, body, commandMetadata(ctx, clock));
      const result = await commands.handle(params.boardId, changes, handleOptions(ctx));
      setRevision(ctx, result.revision);
      ctx.body = columnDtoOf(result.state, params.columnId);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'delete',
      path: '/boards/:boardId/columns/:columnId',
      summary: 'Remove an empty column',
      tags,
      params: columnParams,
      responses: {
        204: { description: 'Removed (ETag = revision)' },
        409: { description: 'Not empty, or the last column' },
      },
    },
    async (ctx, { params }) => {
      const result = await commands.handle(
        params.boardId,
        {
          type: 'RemoveColumn',
          data: { columnId: params.columnId },
          metadata: commandMetadata(ctx, clock),
        },
        handleOptions(ctx),
      );
      setRevision(ctx, result.revision);
      ctx.status = 204;
    },
  );
}
