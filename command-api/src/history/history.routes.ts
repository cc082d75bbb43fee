import { DomainError, membersRestoredByUndo, undoCommand } from '@primetrade/domain';
import type { BoardRouteDeps } from '../boards/boardApi.deps.js';
import { boardParams, taskParams } from '../boards/common.schemas.js';
import { asTaskNotFound, boardOfTask } from '../tasks/tasks.lookup.js';
import { boardViewOf } from '../boards/stateViews.js';
import { requireActiveAccounts } from '../boards/users.queries.js';
import { commandMetadata, handleOptions, setRevision } from '../commands/commandHttp.js';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser } from '../http/state.js';
import { changeAround, historyCsv } from './history.js';
import { memberStream, readBoardAt, readHistory, readHistoryPage } from './history.reads.js';
import {
  historyExportQuery,
  historyPage,
  historyQuery,
  taskHistoryQuery,
  timeTravelQuery,
  timeTravelView,
  undoBody,
  undoResult,
} from './history.schemas.js';

/**
 * Audit history and time travel (docs/api.md "History and replay"): read from the history read model
 * (history.reads.ts, ADR 0020), which equals the fold of the board's stream at the revision it has
 * applied; `Min-Revision` waits for a write like every read of the read models. Undo decides on the
 * stream itself (a command: exact against the store). Only current members may read or undo.
 */
export function registerHistoryRoutes(registrar: RouteRegistrar, deps: BoardRouteDeps): void {
  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/boards/:boardId/history',
      summary: 'Who changed what and when, newest first, with field-level changes',
      tags: ['history'],
      params: boardParams,
      query: historyQuery,
      responses: {
        200: { description: 'A page of history entries', schema: historyPage },
        404: { description: 'No such board for you' },
      },
    },
    async (ctx, { params, query }) => {
      const page = await readHistoryPage(deps, params.boardId, requireUser(ctx).id, query);
      setRevision(ctx, page.revision);
      ctx.body = page;
    },
  );

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/tasks/:taskId/history',
      summary: "One task's history, newest first (a deleted task's: the board history with ?taskId=)",
      tags: ['history'],
      params: taskParams,
      query: taskHistoryQuery,
      responses: {
        200: { description: 'A page of history entries', schema: historyPage },
        404: { description: 'No such task for you' },
      },
    },
    async (ctx, { params, query }) => {
      const userId = requireUser(ctx).id;
      const boardId = await boardOfTask(deps, params.taskId, userId);
      const page = await asTaskNotFound(readHistoryPage(deps, boardId, userId, { ...query, taskId: params.taskId }));
      setRevision(ctx, page.revision);
      ctx.body = page;
    },
  );

  // `/boards/:id/export` is the path docs/api.md names; `/history/export` reads better next to `/history`.
  for (const path of ['/boards/:boardId/history/export', '/boards/:boardId/export'] as const)
    defineRoute(
      registrar,
      {
        method: 'get',
        path,
        summary: "The board's whole history as a JSON or CSV download",
        tags: ['history'],
        params: boardParams,
        query: historyExportQuery,
        responses: {
          200: { description: 'JSON array of history entries, or CSV (one row per field change)' },
          404: { description: 'No such board for you' },
        },
      },
      async (ctx, { params, query }) => {
        const { entries, revision } = await readHistory(deps, params.boardId, requireUser(ctx).id, query);
        setRevision(ctx, revision);
        ctx.set('Content-Disposition', `attachment; filename="board-${params.boardId}-history.${query.format}"`);
        if (query.format === 'csv') {
          ctx.type = 'text/csv; charset=utf-8';
          ctx.body = historyCsv(entries);
        } else {
          ctx.type = 'application/json';
          ctx.body = entries;
        }
      },
    );

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/boards/:boardId/at',
      summary: 'The board as it was at a revision or an instant (read-only)',
      tags: ['history'],
      params: boardParams,
      query: timeTravelQuery,
      responses: {
        200: { description: 'The board view then, and the last event it includes', schema: timeTravelView },
        400: { description: 'A revision the board has not reached' },
        404: { description: 'No such board for you, or not yet created then' },
      },
    },
    async (ctx, { params, query }) => {
      const point = { revision: query.revision, at: query.time ?? query.at };
      const { state, occurredAt, head } = await readBoardAt(deps, params.boardId, requireUser(ctx).id, point);
      if (state.status === 'initial')
        throw new DomainError('BOARD.NOT_FOUND', 'The board did not exist yet at that point');
      setRevision(ctx, head);
      ctx.body = {
        view: await boardViewOf(deps.sql, state),
        asOf: { revision: state.revision, occurredAt },
      };
    },
  );

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/boards/:boardId/undo',
      summary:
        'Undo one change (any of its revisions) with compensating events; refused with the reason when later changes make it unsafe',
      tags: ['history'],
      params: boardParams,
      body: undoBody,
      responses: {
        200: { description: 'What was undone and the events that undid it', schema: undoResult },
        403: { description: "Someone else's change, and you are not an owner" },
        404: { description: 'No such board for you, or no such revision (UNDO.CHANGE_NOT_FOUND)' },
        409: {
          description:
            'UNDO.UNSAFE (a later change would be overwritten; the detail says which), UNDO.NOT_UNDOABLE, or USER.ACCOUNT_INACTIVE (it would make a disabled or erased account a member again)',
        },
      },
    },
    async (ctx, { params, body }) => {
      const events = await memberStream(deps, params.boardId, requireUser(ctx).id);
      const change = changeAround(events, body.revision);
      if (change === null) throw new DomainError('UNDO.CHANGE_NOT_FOUND', `The board has no revision ${body.revision}`);
      // Accounts are not board state: the domain cannot see them, so the route checks them first. Only
      // for an owner (the only one who may undo a removal), so others learn nothing of the account.
      const state = await deps.commands.load(params.boardId);
      const actorIsOwner = state.status !== 'initial' && state.members[requireUser(ctx).id]?.role === 'owner';
      if (actorIsOwner)
        await requireActiveAccounts(deps.sql, membersRestoredByUndo(events.slice(change.first, change.last + 1)));
      // The undone change's first event is the cause of the compensation: history links the two.
      const result = await deps.commands.handle(
        params.boardId,
        undoCommand(events, change, commandMetadata(ctx, deps.clock)),
        {
          ...handleOptions(ctx),
          causationId: events[change.first]?.id ?? null,
        },
      );
      setRevision(ctx, result.revision);
      ctx.body = { undone: change, events: result.events, revision: result.revision };
    },
  );
}
