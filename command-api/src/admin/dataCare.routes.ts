import { DomainError } from '@primetrade/domain';
import { announceAccountRevoked, type EventStore, type Sql } from '@primetrade/platform';
import type { AccountStatus } from '../auth/authenticate.js';
import { findUserById } from '../auth/users.repository.js';
import type { CommandHandler } from '../commands/handleCommand.js';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser } from '../http/state.js';
import { z } from '../http/zod.js';
import { requireAdmin } from './admin.routes.js';
import { updateUser } from './adminUsers.repository.js';
import { membershipsOf, refuseSoleOwnership, removeMemberships } from './dataCare.memberships.js';
import { eraseUser, exportPersonalData } from './dataCare.repository.js';

export interface DataCareRoutesDeps {
  readonly sql: Sql;
  readonly store: EventStore;
  readonly clock: () => Date;
  readonly accounts: AccountStatus;
  /** The board command handler: erasure takes the person off their boards with board events. */
  readonly commands: CommandHandler;
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
    method: 'delete', path: '/admin/users/:id',
    summary: 'Erase a person: taken off their boards (board events, the admin as actor), account and tokens removed, history keeps the id only (admin)',
    tags, params: userParams, middleware: [requireAdmin],
    responses: {
      200: {
        description: 'Erased; `removedFrom` lists the boards the person was taken off (MemberRemoved in each board\'s stream)',
        schema: z.object({ id: z.string(), redactedAnswers: z.number().int(), removedFrom: z.array(z.string()) }),
      },
      403: { description: 'Not an admin' }, 404: { description: 'No such user' },
      409: {
        description: 'USER.LAST_ADMIN (the last active admin), or USER.SOLE_OWNER: the person is the only owner of boards still in use '
          + '(not archived and empty), listed in `errors` as "<boardId> <name>"; make another member an owner first. Nothing is changed.',
      },
    },
  }, async (ctx, { params }) => {
    const userId = params.id;
    if (!(await findUserById(deps.sql, userId))) throw new DomainError('USER.NOT_FOUND', 'No such user');
    const memberships = await membershipsOf(deps.sql, deps.commands, userId);
    refuseSoleOwnership(memberships, userId);
    // Disabled first (the last active admin is refused here, before any change), so nobody can add
    // them back to a board while they are taken off; access tokens die at the account check: at
    // once on this node, within the cache TTL elsewhere.
    await updateUser(deps.sql, userId, { disabled: true }, deps.clock());
    deps.accounts.forget(userId);
    await announceAccountRevoked(deps.sql, userId);
    const removedFrom = await removeMemberships(deps.commands, memberships, {
      userId, actorId: requireUser(ctx).id, now: deps.clock().toISOString(), correlationId: ctx.state.requestId,
    });
    ctx.body = { ...(await eraseUser(deps.sql, userId)), removedFrom };
  });
}
