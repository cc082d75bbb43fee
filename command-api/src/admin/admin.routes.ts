import { DomainError } from '@primetrade/domain';
import { announceAccountRevoked, type Sql } from '@primetrade/platform';
import type { Middleware } from 'koa';
import { z } from '../http/zod.js';
import type { AccountStatus } from '../auth/authenticate.js';
import { userDto } from '../auth/auth.schemas.js';
import type { RefreshTokens } from '../auth/refreshTokens.js';
import { toUserDto } from '../auth/users.repository.js';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import type { AppState } from '../http/state.js';
import { listUsers, updateUser } from './adminUsers.repository.js';

export interface AdminRoutesDeps {
  readonly sql: Sql;
  readonly clock: () => Date;
  readonly accounts: AccountStatus;
  readonly refreshTokens: RefreshTokens;
}

/** System role check; runs after authentication, which loaded the current role. */
export const requireAdmin: Middleware<AppState> = async (ctx, next) => {
  if (ctx.state.user?.role !== 'admin') throw new DomainError('AUTH.FORBIDDEN', 'Administrators only');
  await next();
};

const listQuery = z.object({
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,400}$/, 'must be a cursor from a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  q: z.string().trim().max(200).optional(),
});

const userParams = z.object({ id: z.uuid('must be a user id').overwrite((value) => value.toLowerCase()) });

const changeBody = z
  .object({ role: z.enum(['admin', 'user']).optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((body) => body.role !== undefined || body.disabled !== undefined, { message: 'send role and/or disabled' });

const tags = ['admin'];

export function registerAdminRoutes(registrar: RouteRegistrar, deps: AdminRoutesDeps): void {
  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/admin/users',
      readReplica: false,
      summary: 'List accounts (admin)',
      tags,
      query: listQuery,
      middleware: [requireAdmin],
      responses: {
        200: {
          description: 'A page of accounts',
          schema: z.object({ items: z.array(userDto), nextCursor: z.string().nullable() }),
        },
        403: { description: 'Not an admin' },
      },
    },
    async (ctx, { query }) => {
      ctx.body = await listUsers(deps.sql, query);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'patch',
      path: '/admin/users/:id',
      summary: "Change an account's role or disable it (admin)",
      tags,
      params: userParams,
      body: changeBody,
      middleware: [requireAdmin],
      responses: {
        200: { description: 'The account after the change', schema: userDto },
        403: { description: 'Not an admin' },
        404: { description: 'No such user' },
        409: { description: 'Would leave no active admin' },
      },
    },
    async (ctx, { params, body }) => {
      const row = await updateUser(deps.sql, params.id, body, deps.clock());
      deps.accounts.forget(row.id);
      // A disabled account also loses its refresh tokens; access tokens die at the account check.
      if (row.disabled) {
        await deps.refreshTokens.revokeAllOf(row.id);
        await announceAccountRevoked(deps.sql, row.id);
      }
      ctx.body = toUserDto(row);
    },
  );
}
