import { DomainError } from '@primetrade/domain';
import { announceAccountRevoked, type EventStore, type Sql } from '@primetrade/platform';
import type { AccountStatus } from '../auth/authenticate.js';
import { findUserById } from '../auth/users.repository.js';
import { findAccount, inactiveAccountError } from '../boards/users.queries.js';
import type { CommandHandler } from '../commands/handleCommand.js';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser } from '../http/state.js';
import { z } from '../http/zod.js';
import { requireAdmin } from './admin.routes.js';
import { updateUser } from './adminUsers.repository.js';
import { appointSuccessor, membershipsOf, refuseSoleOwnership, removeMemberships } from './dataCare.memberships.js';
import { eraseUser, exportPersonalData } from './dataCare.repository.js';

export interface DataCareRoutesDeps {
  readonly sql: Sql;
  readonly store: EventStore;
  readonly clock: () => Date;
  readonly accounts: AccountStatus;
  /** The board command handler: erasure takes the person off their boards with board events. */
  readonly commands: CommandHandler;
}

const userParams = z.object({ id: z.uuid('must be a user id').overwrite((value) => value.toLowerCase()) });
const erasureQuery = z.object({
  successorId: z
    .uuid('must be a user id')
    .overwrite((value) => value.toLowerCase())
    .optional()
    .describe(
      'Who becomes an owner of the boards the person is the only owner of (promoted if a member, added as owner otherwise); ' +
        'an active account other than the person',
    ),
});
const tags = ['data care'];
const exported = {
  description: 'Everything about the person: account (no password hash), boards, tasks, comments, history',
};

/** GDPR export and erasure (docs/operations.md "Data care"). */
export function registerDataCareRoutes(registrar: RouteRegistrar, deps: DataCareRoutesDeps): void {
  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/me/export',
      readReplica: false,
      summary: 'Export everything the system holds about me',
      tags,
      responses: { 200: exported },
    },
    async (ctx) => {
      ctx.body = await exportPersonalData(deps.sql, deps.store, requireUser(ctx).id, deps.clock());
      ctx.set('Content-Disposition', 'attachment; filename="my-data.json"');
    },
  );

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/admin/users/:id/export',
      readReplica: false,
      summary: 'Export everything about a person (admin)',
      tags,
      params: userParams,
      middleware: [requireAdmin],
      responses: { 200: exported, 403: { description: 'Not an admin' }, 404: { description: 'No such user' } },
    },
    async (ctx, { params }) => {
      ctx.body = await exportPersonalData(deps.sql, deps.store, params.id, deps.clock());
    },
  );

  defineRoute(
    registrar,
    {
      method: 'delete',
      path: '/admin/users/:id',
      summary:
        'Erase a person: a successor named for the boards they alone own, taken off their boards (board events, the admin as actor), ' +
        'account and tokens removed, history keeps the id only (admin)',
      tags,
      params: userParams,
      query: erasureQuery,
      middleware: [requireAdmin],
      responses: {
        200: {
          description:
            "Erased; `removedFrom` lists the boards the person was taken off (MemberRemoved in each board's stream); " +
            '`successorAppointedIn` the boards where the successor became an owner first (MemberRoleChanged or MemberAdded with ' +
            "`succeeds`, in each board's stream, the admin as actor)",
          schema: z.object({
            id: z.string(),
            redactedAnswers: z.number().int(),
            removedFrom: z.array(z.string()),
            successorAppointedIn: z.array(z.string()),
          }),
        },
        400: {
          description:
            'VALIDATION.FAILED: a malformed id or successorId, or the person named as their own successor. Nothing is changed.',
        },
        403: { description: 'Not an admin' },
        404: {
          description:
            'USER.NOT_FOUND: no such person, or no such successor (`errors` names `query.successorId`). Nothing is changed.',
        },
        409: {
          description:
            "USER.LAST_ADMIN (the last active admin); USER.ACCOUNT_INACTIVE (the successor's account is disabled); or, without " +
            '`successorId`, USER.SOLE_OWNER: the person is the only owner of boards still in use (not archived and empty), listed in ' +
            '`errors` as "<boardId> <name>"; name a successor, or make another member an owner first. Nothing is changed.',
        },
      },
    },
    async (ctx, { params, query }) => {
      const userId = params.id;
      if (!(await findUserById(deps.sql, userId))) throw new DomainError('USER.NOT_FOUND', 'No such user');
      if (query.successorId !== undefined) await requireSuccessor(deps.sql, userId, query.successorId);
      const memberships = await membershipsOf(deps.sql, deps.commands, userId);
      if (query.successorId === undefined) refuseSoleOwnership(memberships, userId);
      // Disabled first (the last active admin is refused here, before any change), so nobody can add
      // them back to a board while they are taken off; access tokens die at the account check: at
      // once on this node, within the cache TTL elsewhere.
      await updateUser(deps.sql, userId, { disabled: true }, deps.clock());
      deps.accounts.forget(userId);
      await announceAccountRevoked(deps.sql, userId);
      const change = {
        userId,
        actorId: requireUser(ctx).id,
        now: deps.clock().toISOString(),
        correlationId: ctx.state.requestId,
      };
      // The successor becomes an owner before the person leaves: a board always keeps an owner.
      const { memberships: current, appointedIn } =
        query.successorId === undefined
          ? { memberships, appointedIn: [] }
          : await appointSuccessor(deps.commands, memberships, { ...change, successorId: query.successorId });
      const removedFrom = await removeMemberships(deps.commands, current, change);
      ctx.body = { ...(await eraseUser(deps.sql, userId)), removedFrom, successorAppointedIn: appointedIn };
    },
  );
}

/**
 * The successor must be an active account other than the person: 400 (the person themselves),
 * 404 (no such account), 409 USER.ACCOUNT_INACTIVE (disabled), each before anything is changed.
 */
async function requireSuccessor(sql: Sql, userId: string, successorId: string): Promise<void> {
  const field = 'query.successorId';
  if (successorId === userId) {
    throw new DomainError('VALIDATION.FAILED', `${field}: must be someone other than the person erased`, [
      { field, message: 'must be someone other than the person erased' },
    ]);
  }
  const successor = await findAccount(sql, { userId: successorId });
  if (successor === null)
    throw new DomainError('USER.NOT_FOUND', 'No account for the successor', [{ field, message: 'no such account' }]);
  if (successor.disabled) throw inactiveAccountError([{ userId: successor.id, state: 'is disabled' }]);
}
