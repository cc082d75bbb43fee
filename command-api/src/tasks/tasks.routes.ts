import type { BoardCommand, CommandMetadata } from '@primetrade/domain';
import { getBoardRevision, searchTasks, type TaskSearch } from '@primetrade/read-model';
import type { z } from 'zod';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser, type AppContext } from '../http/state.js';
import { commandMetadata, handleOptions, setRevision, requestIds } from '../commands/commandHttp.js';
import type { BoardRouteDeps } from '../boards/boardApi.deps.js';
import { requireBoardMember } from '../boards/boardAccess.js';
import { boardParams, pageOf, taskDto } from '../boards/common.schemas.js';
import { taskDtoOf } from '../boards/stateViews.js';
import { findTask, runTaskCommand } from './tasks.lookup.js';
import { createTaskBody, moveTaskBody, taskParams, taskSearchQuery, updateTaskBody } from './tasks.schemas.js';

const tags = ['tasks'];
const boardTasksQuery = taskSearchQuery({ sort: 'position', order: 'asc' });
const myTasksQuery = taskSearchQuery({ sort: 'updatedAt', order: 'desc' });

const toSearch = (query: z.infer<typeof boardTasksQuery>, viewerId: string, boardId?: string): TaskSearch => ({
  ...query,
  viewerId,
  ...(boardId !== undefined ? { boardId } : {}),
  assigneeId: query.assigneeId === 'me' ? viewerId : query.assigneeId,
});

/** The simple task commands: POST /tasks/:taskId/<action>. */
const taskActions = {
  complete: { type: 'CompleteTask', summary: 'Mark a task completed' },
  reopen: { type: 'ReopenTask', summary: 'Reopen a completed task' },
  archive: { type: 'ArchiveTask', summary: 'Archive a task (hidden, restorable)' },
  restore: { type: 'RestoreTask', summary: 'Restore an archived task' },
} as const;

export function registerTaskRoutes(registrar: RouteRegistrar, deps: BoardRouteDeps): void {
  const { commands, sql, clock, newId } = deps;

  const taskCommand = (ctx: AppContext, taskId: string, build: (metadata: CommandMetadata) => BoardCommand) =>
    runTaskCommand(deps, ctx, taskId, build);

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/boards/:boardId/tasks',
      summary: 'Create a task (first column, at the end, unless told)',
      tags,
      params: boardParams,
      body: createTaskBody,
      responses: { 201: { description: 'The new task (Location: /tasks/:taskId)', schema: taskDto } },
    },
    async (ctx, { params, body }) => {
      const taskId = requestIds(ctx, newId)();
      const { beforeTaskId, afterTaskId, ...fields } = body;
      const result = await commands.handle(
        params.boardId,
        {
          type: 'CreateTask',
          data: { ...fields, taskId, beforeId: beforeTaskId, afterId: afterTaskId },
          metadata: commandMetadata(ctx, clock),
        },
        handleOptions(ctx),
      );
      ctx.status = 201;
      ctx.set('Location', `${registrar.prefix}/tasks/${taskId}`);
      setRevision(ctx, result.revision);
      ctx.body = taskDtoOf(result.state, taskId);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/boards/:boardId/tasks',
      summary: "Search a board's tasks (filters, full text, keyset pages)",
      tags,
      params: boardParams,
      query: boardTasksQuery,
      responses: {
        200: { description: 'A page of tasks', schema: pageOf(taskDto) },
        404: { description: 'No such board for you' },
      },
    },
    async (ctx, { params, query }) => {
      const userId = requireUser(ctx).id;
      await requireBoardMember(deps, params.boardId, userId);
      ctx.body = await searchTasks(sql, toSearch(query, userId, params.boardId));
    },
  );

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/tasks',
      summary: 'Search tasks across all my boards (assigneeId=me for mine)',
      tags,
      query: myTasksQuery,
      responses: { 200: { description: 'A page of tasks', schema: pageOf(taskDto) } },
    },
    async (ctx, { query }) => {
      ctx.body = await searchTasks(sql, toSearch(query, requireUser(ctx).id));
    },
  );

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/tasks/:taskId',
      summary: 'One task',
      tags,
      params: taskParams,
      responses: {
        200: { description: 'The task (ETag = board revision)', schema: taskDto },
        404: { description: 'No such task for you' },
      },
    },
    async (ctx, { params }) => {
      const task = await findTask(deps, params.taskId, requireUser(ctx).id);
      const revision = await getBoardRevision(sql, task.boardId);
      if (revision !== null) setRevision(ctx, revision);
      ctx.body = task;
    },
  );

  defineRoute(
    registrar,
    {
      method: 'patch',
      path: '/tasks/:taskId',
      summary: 'Change title, description, priority, due date, assignees or labels',
      tags,
      params: taskParams,
      body: updateTaskBody,
      responses: { 200: { description: 'The task', schema: taskDto } },
    },
    async (ctx, { params, body }) => {
      const result = await taskCommand(ctx, params.taskId, (metadata) => ({
        type: 'UpdateTask',
        data: { ...body, taskId: params.taskId },
        metadata,
      }));
      ctx.body = taskDtoOf(result.state, params.taskId);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'delete',
      path: '/tasks/:taskId',
      summary: 'Delete a task for good (archive keeps it)',
      tags,
      params: taskParams,
      responses: { 204: { description: 'Deleted (ETag = revision)' } },
    },
    async (ctx, { params }) => {
      await taskCommand(ctx, params.taskId, (metadata) => ({
        type: 'DeleteTask',
        data: { taskId: params.taskId },
        metadata,
      }));
      ctx.status = 204;
    },
  );

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/tasks/:taskId/move',
      summary: 'Move a task to a column, before/after a sibling or at the end',
      tags,
      params: taskParams,
      body: moveTaskBody,
      responses: { 200: { description: 'The task', schema: taskDto }, 409: { description: 'WIP limit reached' } },
    },
    async (ctx, { params, body }) => {
      const result = await taskCommand(ctx, params.taskId, (metadata) => ({
        type: 'MoveTask',
        data: {
          taskId: params.taskId,
          columnId: body.columnId,
          beforeId: body.beforeTaskId,
          afterId: body.afterTaskId,
        },
        metadata,
      }));
      ctx.body = taskDtoOf(result.state, params.taskId);
    },
  );

  for (const [action, { type, summary }] of Object.entries(taskActions)) {
    defineRoute(
      registrar,
      {
        method: 'post',
        path: `/tasks/:taskId/${action}`,
        summary,
        tags,
        params: taskParams,
        responses: {
          200: { description: 'The task', schema: taskDto },
          409: { description: 'Not in a state that allows it' },
        },
      },
      async (ctx, { params }) => {
        const result = await taskCommand(ctx, params.taskId, (metadata) => ({
          type,
          data: { taskId: params.taskId },
          metadata,
        }));
        ctx.body = taskDtoOf(result.state, params.taskId);
      },
    );
  }
}
