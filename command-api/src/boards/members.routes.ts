import { DomainError } from '@primetrade/domain';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser } from '../http/state.js';
import { commandMetadata, handleOptions, setRevision } from '../commands/commandHttp.js';
import type { BoardRouteDeps } from './boardApi.deps.js';
import { boardParams, memberDto } from './common.schemas.js';
import { addMemberBody, changeRoleBody, memberParams } from './members.schemas.js';
import { boardNotFound, isMemberIn, memberDtoOf } from './stateViews.js';
import { findAccount, inactiveAccountError } from './users.queries.js';

const tags = ['members'];

/**
 * The account an AddMember names (by e-mail or id), for a caller who is a member of the board: the
 * board first, so a non-member learns nothing of which e-mails have accounts; a disabled account is
 * refused (it cannot sign in: membership would only hand it boards to see later). Shared with GraphQL.
 */
export async function accountToAdd(
  deps: BoardRouteDeps,
  boardId: string,
  actorId: string,
  body: { email?: string | undefined; userId?: string | undefined },
): Promise<string> {
  if (!isMemberIn(await deps.commands.load(boardId), actorId)) throw boardNotFound();
  const account = await findAccount(
    deps.sql,
    body.email !== undefined ? { email: body.email } : { userId: body.userId ?? '' },
  );
  if (account === null) {
    const field = body.email !== undefined ? 'body.email' : 'body.userId';
    throw new DomainError('USER.NOT_FOUND', 'No account with that email or id', [
      { field, message: 'no such account' },
    ]);
  }
  if (account.disabled) throw inactiveAccountError([{ userId: account.id, state: 'is disabled' }]);
  return account.id;
}

export function registerMemberRoutes(registrar: RouteRegistrar, deps: BoardRouteDeps): void {
  const { commands, sql, clock } = deps;

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/boards/:boardId/members',
      summary: 'Add a member by email or user id (owners)',
      tags,
      params: boardParams,
      body: addMemberBody,
      responses: {
        201: { description: 'The new member', schema: memberDto },
        404: { description: 'No such board or user' },
        409: { description: 'MEMBER.ALREADY_EXISTS, or USER.ACCOUNT_INACTIVE (the account is disabled)' },
      },
    },
    async (ctx, { params, body }) => {
      const userId = await accountToAdd(deps, params.boardId, requireUser(ctx).id, body);
      const result = await commands.handle(
        params.boardId,
        {
          type: 'AddMember',
          data: { userId, role: body.role },
          metadata: commandMetadata(ctx, clock),
        },
        handleOptions(ctx),
      );
      ctx.status = 201;
      setRevision(ctx, result.revision);
      ctx.body = await memberDtoOf(sql, result.state, userId);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'patch',
      path: '/boards/:boardId/members/:userId',
      summary: "Change a member's role (owners)",
      tags,
      params: memberParams,
      body: changeRoleBody,
      responses: { 200: { description: 'The member', schema: memberDto } },
    },
    async (ctx, { params, body }) => {
      const result = await commands.handle(
        params.boardId,
        {
          type: 'ChangeMemberRole',
          data: { userId: params.userId, role: body.role },
          metadata: commandMetadata(ctx, clock),
        },
        handleOptions(ctx),
      );
      setRevision(ctx, result.revision);
      ctx.body = await memberDtoOf(sql, result.state, params.userId);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'delete',
      path: '/boards/:boardId/members/:userId',
      summary: 'Remove a member (owners)',
      tags,
      params: memberParams,
      responses: { 204: { description: 'Removed (ETag = revision)' } },
    },
    async (ctx, { params }) => {
      const result = await commands.handle(
        params.boardId,
        {
          type: 'RemoveMember',
          data: { userId: params.userId },
          metadata: commandMetadata(ctx, clock),
        },
        handleOptions(ctx),
      );
      setRevision(ctx, result.revision);
      ctx.status = 204;
    },
  );
}
