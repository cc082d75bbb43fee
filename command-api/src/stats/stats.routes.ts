import { DomainError } from '@primetrade/domain';
import {
  getBoardFlow,
  getBoardRevision,
  getBoardStats,
  getMyBoardsFingerprint,
  getMyStats,
} from '@primetrade/read-model';
import { boardParams } from '../boards/common.schemas.js';
import type { BoardRouteDeps } from '../boards/boardApi.deps.js';
import { requireBoardMember } from '../boards/boardAccess.js';
import { boardNotFound } from '../boards/stateViews.js';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser } from '../http/state.js';
import { boardFlowDto, boardStatsDto, flowQuery, myStatsDto } from './stats.schemas.js';
import type { StatsCache } from './statsCache.js';

const tags = ['statistics'];
const dayMs = 86_400_000;
const utcDay = (time: number) => new Date(time).toISOString().slice(0, 10);

const shiftDay = (day: string, days: number) => utcDay(Date.parse(`${day}T00:00:00Z`) + days * dayMs);
const refuse = (field: 'from' | 'to', message: string) =>
  new DomainError('VALIDATION.FAILED', `query.${field}: ${message}`, [{ field: `query.${field}`, message }]);

/**
 * The range asked for, defaults filled in: 30 days (to today, or from `from`). A `to` after today in
 * UTC (a person east of UTC asking for their own today, or a future day) is clamped to today: the
 * answer's `to` says how far the data goes. A `from` after today has nothing to show.
 */
function flowRange(query: { from?: string | undefined; to?: string | undefined }, now: Date) {
  const today = utcDay(now.getTime());
  const asked =
    query.to ?? (query.from !== undefined && shiftDay(query.from, 29) < today ? shiftDay(query.from, 29) : today);
  const to = asked > today ? today : asked;
  const from = query.from ?? shiftDay(to, -29);
  if (from > to) throw refuse('from', `must not be after ${to}${to === today ? ' (today, UTC)' : ''}`);
  return { from, to };
}

/**
 * Statistics (docs/api.md "Statistics", where the rules are): from the projector's read models, for members only,
 * cached under the board's projected revision (or, for `/me/stats`, a fingerprint of the revisions
 * of all my boards) and the minute.
 */
export function registerStatsRoutes(registrar: RouteRegistrar, deps: BoardRouteDeps, statsCache: StatsCache): void {
  const { sql, clock } = deps;

  async function projectedRevision(boardId: string): Promise<number> {
    const revision = await getBoardRevision(sql, boardId);
    if (revision === null) throw boardNotFound();
    return Number(revision);
  }

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/boards/:boardId/stats',
      summary: 'Board statistics: counts, overdue, WIP breaches, throughput, lead and cycle time',
      tags,
      params: boardParams,
      responses: {
        200: { description: 'The statistics, with the board revision they include', schema: boardStatsDto },
        404: { description: 'No such board for you' },
      },
    },
    async (ctx, { params }) => {
      await requireBoardMember(deps, params.boardId, requireUser(ctx).id);
      const now = clock();
      const revision = await projectedRevision(params.boardId);
      ctx.body = await statsCache.through(`board:${params.boardId}:r${revision}`, now, async () => {
        const stats = await getBoardStats(sql, params.boardId, now);
        if (!stats) throw boardNotFound();
        return stats;
      });
    },
  );

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/boards/:boardId/stats/flow',
      summary: 'Cumulative flow: tasks per column at the end of each UTC day',
      tags,
      params: boardParams,
      query: flowQuery,
      responses: {
        200: { description: 'One count per column and day', schema: boardFlowDto },
        404: { description: 'No such board for you' },
      },
    },
    async (ctx, { params, query }) => {
      await requireBoardMember(deps, params.boardId, requireUser(ctx).id);
      const now = clock();
      const range = flowRange(query, now);
      const revision = await projectedRevision(params.boardId);
      ctx.body = await statsCache.through(
        `flow:${params.boardId}:r${revision}:${range.from}:${range.to}`,
        now,
        async () => {
          const flow = await getBoardFlow(sql, params.boardId, range);
          if (!flow) throw boardNotFound();
          return flow;
        },
      );
    },
  );

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/me/stats',
      summary: 'My tasks across my boards: by status and priority, overdue, due within 24 hours and 7 days',
      tags,
      responses: { 200: { description: 'My task statistics', schema: myStatsDto } },
    },
    async (ctx) => {
      const userId = requireUser(ctx).id;
      const now = clock();
      const fingerprint = await getMyBoardsFingerprint(sql, userId);
      ctx.body = await statsCache.through(`me:${userId}:${fingerprint}`, now, () => getMyStats(sql, userId, now));
    },
  );
}
