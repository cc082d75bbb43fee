import { requestIds } from '../commands/commandHttp.js';
import type { BoardCommand, CommandMetadata } from '@primetrade/domain';
import { listComments } from '@primetrade/read-model';
import { z } from 'zod';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser, type AppContext } from '../http/state.js';
import type { BoardRouteDeps } from '../boards/boardApi.deps.js';
import { commentDto } from '../boards/common.schemas.js';
import { commentDtoOf } from '../boards/stateViews.js';
import { findTask, runTaskCommand } from './tasks.lookup.js';
import { commentBodySchema, commentParams, taskParams } from './tasks.schemas.js';

const tags = ['comments'];

export function registerCommentRoutes(registrar: RouteRegistrar, deps: BoardRouteDeps): void {
  const { sql, newId } = deps;

  const commentCommand = (ctx: AppContext, taskId: string, build: (metadata: CommandMetadata) => BoardCommand) =>
    runTaskCommand(deps, ctx, taskId, build);

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/tasks/:taskId/comments',
      summary: "A task's comments, oldest first",
      tags,
      params: taskParams,
      responses: { 200: { description: 'The comments', schema: z.object({ items: z.array(commentDto) }) } },
    },
    async (ctx, { params }) => {
      await findTask(deps, params.taskId, requireUser(ctx).id);
      ctx.body = { items: await listComments(sql, params.taskId) };
    },
  );

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/tasks/:taskId/comments',
      summary: 'Comment on a task',
      tags,
      params: taskParams,
      body: commentBodySchema,
      responses: { 201: { description: 'The new comment', schema: commentDto } },
    },
    async (ctx, { params, body }) => {
      const commentId = requestIds(ctx, newId)();
      const result = await commentCommand(ctx, params.taskId, (metadata) => ({
        type: 'AddComment',
        data: { taskId: params.taskId, commentId, body: body.body },
        metadata,
      }));
      ctx.status = 201;
      ctx.body = commentDtoOf(result.state, params.taskId, commentId);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'patch',
      path: '/tasks/:taskId/comments/:commentId',
      summary: 'Edit your comment',
      tags,
      params: commentParams,
      body: commentBodySchema,
      responses: { 200: { description: 'The comment', schema: commentDto }, 403: { description: 'Not your comment' } },
    },
    async (ctx, { params, body }) => {
      const result = await commentCommand(ctx, params.taskId, (metadata) => ({
        type: 'EditComment',
        data: { taskId: params.taskId, commentId: params.commentId, body: body.body },
        metadata,
      }));
      ctx.body = commentDtoOf(result.state, params.taskId, params.commentId);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'delete',
      path: '/tasks/:taskId/comments/:commentId',
      summary: 'Delete a comment (author or board owner)',
      tags,
      params: commentParams,
      responses: { 204: { description: 'Deleted (ETag = revision)' } },
    },
    async (ctx, { params }) => {
      await commentCommand(ctx, params.taskId, (metadata) => ({
        type: 'DeleteComment',
        data: { taskId: params.taskId, commentId: params.commentId },
        metadata,
      }));
      ctx.status = 204;
    },
  );
}
