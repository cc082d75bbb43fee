import { announceAccountRevoked, type EventStore, type Sql } from '@primetrade/platform';
import type { AccountStatus } from '../auth/authenticate.js';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser } from '../http/state.js';
import { z } from '../http/zod.js';
import { requireAdmin } from './admin.routes.js';
import { eraseUser, exportPersonalData } from './dataCare.repository.js';

export interface DataCareRoutesDeps {
  readonly sql: Sql;
  readonly store: EventStore;
  readonly clock: () => Date;
  readonly accounts: AccountStatus;
}

const userParams = z.object({ id: z.uuid('must be a user id') });
const tags = ['data care'];
const exported = { description: 'Everything about the person: account (no password hash), boards, tasks, comments, history' };

/** GDPR export and erasure (README "Data care"). */
export function registerDataCareRoutes(registrar: RouteRegistrar, deps: DataCareRoutesDeps): void {
  defineRoute(registrar, {
    method: 'get', path: '/me/export', summary: 'Export everything the system holds about me', tags,
    responses: { 200: exported },
  }, async (ctx) => {
    ctx.body = await exportPersonalData(deps.sql, deps.store, requireUser(ctx).id, deps.clock());
    ctx.set('Content-Disposition', 'attachment; filename="my-data.json"');
  });

  defineRoute(registrar, {
    method: 'get', path: '/admin/users/:id/export', summary: 'Export everything about a person (admin)', tags,
    params: userParams, middleware: [requireAdmin],
    responses: { 200: exported, 403: { description: 'Not an admin' }, 404: { description: 'No such user' } },
  }, async (ctx, { params }) => {
    ctx.body = await exportPersonalData(deps.sql, deps.store, params.id, deps.clock());
  });

  defineRoute(registrar, {
    method: 'delete', path: '/admin/users/:id', summary: 'Erase a person: account and tokens removed, history keeps the id only (admin)', tags,
    params: userParams, middleware: [requireAdmin],
    responses: {
      200: { description: 'Erased', schema: z.object({ id: z.string(), redactedAnswers: z.number().int() }) },
      403: { description: 'Not an admin' }, 404: { description: 'No such user' }, 409: { description: 'The last active admin' },
    },
  }, async (ctx, { params }) => {
    const result = await eraseUser(deps.sql, params.id);
    // Access tokens die at the account check: at once on this node, within the cache TTL elsewhere.
    deps.accounts.forget(params.id);
    await announceAccountRevoked(deps.sql, params.id);
    ctx.body = result;
  });
}
