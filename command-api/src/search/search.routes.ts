import { DomainError } from '@primetrade/domain';
import type { SearchIndex, SearchQuery } from '@primetrade/read-model';
import type { z } from 'zod';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser } from '../http/state.js';
import { searchQuery, searchResultDto } from './search.schemas.js';

export interface SearchRouteDeps {
  readonly search: SearchIndex;
}

/** Seconds a client waits before asking again while the search engine is down. */
const retryAfterSeconds = 2;

/** The port's query from the validated request (also the GraphQL `search` field's). */
export const toSearchQuery = (query: z.infer<typeof searchQuery>, viewerId: string): SearchQuery => {
  const { q, boardId, assigneeId, ...rest } = query;
  return {
    ...rest,
    viewerId,
    text: q,
    boardIds: boardId,
    assigneeId: assigneeId === 'me' ? viewerId : assigneeId,
  };
};

/**
 * The search engine unreachable (the OpenSearch adapter's SERVICE.UNAVAILABLE) is a 503 the client
 * retries; breaker errors of the PostgreSQL adapter get their `Retry-After` from the problem writer.
 */
export function withRetryAfter(error: unknown): never {
  if (error instanceof DomainError && error.code === 'SERVICE.UNAVAILABLE')
    throw Object.assign(error, { headers: { 'Retry-After': String(retryAfterSeconds) } });
  throw error;
}

/**
 * `GET /search`: one query across every board the caller may see (docs/api.md "Search",
 * docs/adr/0024-search-engine.md); membership is enforced inside the port's query.
 */
export function registerSearchRoutes(registrar: RouteRegistrar, deps: SearchRouteDeps): void {
  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/search',
      summary: 'Search tasks across all my boards: typo-tolerant text, filters, facets, highlights, keyset pages',
      tags: ['search'],
      query: searchQuery,
      responses: {
        200: { description: 'A page of hits, the total, facet counts and the next cursor', schema: searchResultDto },
        503: { description: 'The search engine is unavailable (Retry-After)' },
      },
    },
    async (ctx, { query }) => {
      ctx.body = await deps.search.search(toSearchQuery(query, requireUser(ctx).id)).catch(withRetryAfter);
    },
  );
}
