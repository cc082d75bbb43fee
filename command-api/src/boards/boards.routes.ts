import type { BoardCommand } from '@primetrade/domain';
import { getBoardView, getPagedBoardView, listBoardsForUser } from '@primetrade/read-model';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser, type AppContext } from '../http/state.js';
import { commandMetadata, handleOptions, setRevision, requestIds } from '../commands/commandHttp.js';
import type { BoardRouteDeps } from './boardApi.deps.js';
import { requireBoardMember } from './boardAccess.js';
import { boardViewQuery, createBoardBody, defaultColumns, listBoardsQuery, updateBoardBody } from './boards.schemas.js';
import { boardDto, boardParams, boardSummaryDto, boardViewDto, pageOf } from './common.schemas.js';
import { boardDtoOf, boardNotFound, boardViewOf, isMemberIn } from './stateViews.js';

const tags = ['boards'];

export function registerBoardRoutes(registrar: RouteRegistrar, deps: BoardRouteDeps): void {
  const { commands, sql, clock, newId } = deps;

  /** Runs a board-level command and answers 200 with the board. */
  const boardCommand = async (
    ctx: AppContext,
    boardId: string,
    build: (meta: BoardCommand['metadata']) => BoardCommand | BoardCommand[],
  ) => {
    const result = await commands.handle(boardId, build(commandMetadata(ctx, clock)), handleOptions(ctx));
    setRevision(ctx, result.revision);
    ctx.body = boardDtoOf(result.state);
  };

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/boards',
      summary: 'Create a board (default columns: To do, In progress, Done)',
      tags,
      body: createBoardBody,
      responses: { 201: { description: 'The new board', schema: boardViewDto } },
    },
    async (ctx, { body }) => {
      const ids = requestIds(ctx, newId);
      const boardId = ids();
      const columns = (body.columns ?? defaultColumns).map((column) => ({ ...column, columnId: ids() }));
      const result = await commands.handle(
        boardId,
        {
          type: 'CreateBoard',
          data: { boardId, name: body.name, description: body.description, columns },
          metadata: commandMetadata(ctx, clock),
        },
        handleOptions(ctx),
      );
      ctx.status = 201;
      ctx.set('Location', `${registrar.prefix}/boards/${boardId}`);
      setRevision(ctx, result.revision);
      ctx.body = await boardViewOf(sql, result.state);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/boards',
      summary: 'List my boards',
      tags,
      query: listBoardsQuery,
      responses: { 200: { description: 'A page of boards with my role', schema: pageOf(boardSummaryDto) } },
    },
    async (ctx, { query }) => {
      ctx.body = await listBoardsForUser(sql, requireUser(ctx).id, query);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/boards/:boardId',
      summary: "The whole board: columns, tasks, members (or each column's first tasks: tasksPerColumn)",
      tags,
      params: boardParams,
      query: boardViewQuery,
      responses: {
        200: { description: 'The board view (ETag = revision)', schema: boardViewDto },
        404: { description: 'No such board for you' },
      },
    },
    async (ctx, { params, query }) => {
      const userId = requireUser(ctx).id;
      await requireBoardMember(deps, params.boardId, userId);
      let view =
        query.tasksPerColumn === undefined
          ? await getBoardView(sql, params.boardId)
          : await getPagedBoardView(sql, params.boardId, query.tasksPerColumn);
      if (view === null) {
        // Not projected yet (just created): the store-folded state is the truth (answered whole:
        // a board the projector has not reached yet is a new one, docs/adr/0023-big-boards-column-pages.md).
        const state = await commands.load(params.boardId);
        if (!isMemberIn(state, userId)) throw boardNotFound();
        view = await boardViewOf(sql, state);
      }
      setRevision(ctx, view.revision);
      ctx.body = view;
    },
  );

  defineRoute(
    registrar,
    {
      method: 'patch',
      path: '/boards/:boardId',
      summary: 'Rename a board or change its description',
      tags,
      params: boardParams,
      body: updateBoardBody,
      responses: { 200: { description: 'The board', schema: boardDto }, 412: { description: 'If-Match is stale' } },
    },
    async (ctx, { params, body }) => {
      await boardCommand(ctx, params.boardId, (metadata) => [
        ...(body.name !== undefined ? [{ type: 'RenameBoard' as const, data: { name: body.name }, metadata }] : []),
        ...(body.description !== undefined
          ? [{ type: 'ChangeBoardDescription' as const, data: { description: body.description }, metadata }]
          : []),
      ]);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'delete',
      path: '/boards/:boardId',
      summary: 'Archive a board (owners)',
      tags,
      params: boardParams,
      responses: { 200: { description: 'The archived board', schema: boardDto } },
    },
    async (ctx, { params }) => {
      await boardCommand(ctx, params.boardId, (metadata) => ({ type: 'ArchiveBoard', data: {}, metadata }));
    },
  );

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/boards/:boardId/restore',
      summary: 'Restore an archived board (owners)',
      tags,
      params: boardParams,
      responses: { 200: { description: 'The restored board', schema: boardDto } },
    },
    async (ctx, { params }) => {
      await boardCommand(ctx, params.boardId, (metadata) => ({ type: 'RestoreBoard', data: {}, metadata }));
    },
  );
}
