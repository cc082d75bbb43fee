import { boardStreamId } from '@primetrade/domain';
import { toEnvelope } from '@primetrade/platform';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser } from '../http/state.js';
import { setRevision } from '../commands/commandHttp.js';
import type { BoardRouteDeps } from '../boards/boardApi.deps.js';
import { boardParams } from '../boards/common.schemas.js';
import { boardNotFound, isMemberIn } from '../boards/stateViews.js';
import { revisionOf } from '../commands/boardStateCache.js';
import { eventsPage, eventsQuery } from './events.schemas.js';

/**
 * Client catch-up and audit export (docs/api.md): raw envelopes straight from the store.
 * Membership comes from the store-folded state, not the read model, so a member added a
 * moment ago can catch up at once.
 */
export function registerEventRoutes(registrar: RouteRegistrar, deps: BoardRouteDeps): void {
  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/boards/:boardId/events',
      summary: "The board's events after a revision (catch-up, export)",
      tags: ['events'],
      minRevision: false,
      params: boardParams,
      query: eventsQuery,
      responses: {
        200: { description: 'Envelopes in ascending revision', schema: eventsPage },
        404: { description: 'No such board for you' },
      },
    },
    async (ctx, { params, query }) => {
      const state = await deps.commands.load(params.boardId);
      if (!isMemberIn(state, requireUser(ctx).id)) throw boardNotFound();
      const stored = await deps.store.readStream(boardStreamId(params.boardId), {
        fromRevision: BigInt(query.after + 1),
        maxCount: query.limit,
      });
      const revision = Math.max(revisionOf(state), ...stored.map((event) => Number(event.revision)));
      setRevision(ctx, revision);
      ctx.body = { events: stored.map(toEnvelope), revision };
    },
  );
}
