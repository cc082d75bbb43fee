import { DomainError, type UserDto } from '@primetrade/domain';
import type { RateLimiter, Sql, TokenService } from '@primetrade/platform';
import { clientIp, rateLimit } from '../http/rateLimit.js';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser, type AppContext } from '../http/state.js';
import { loginBody, refreshBody, registerBody, sessionDto, userDto } from './auth.schemas.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { RefreshTokens } from './refreshTokens.js';
import { createUser, findUserByEmail, findUserById, toUserDto, type UserRow } from './users.repository.js';

export interface AuthRoutesDeps {
  readonly sql: Sql;
  readonly tokens: TokenService;
  readonly refreshTokens: RefreshTokens;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly rateLimiters: {
    readonly login: RateLimiter;
    readonly loginAccount: RateLimiter;
    readonly register: RateLimiter;
  };
}

export interface Session {
  readonly user: UserDto;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
}

/** The email as sent, for the per-email login limit, before validation (which runs later). */
const rawEmail = (ctx: AppContext): string | null => {
  const email = (ctx.request as { body?: { email?: unknown } }).body?.email;
  return typeof email === 'string' && email.length <= 254 ? email.trim().toLowerCase() : null;
};

const tags = ['auth'];

export function registerAuthRoutes(registrar: RouteRegistrar, deps: AuthRoutesDeps): void {
  async function startSession(row: UserRow, refreshToken?: string): Promise<Session> {
    const access = await deps.tokens.signAccess({ id: row.id, name: row.name, role: row.role });
    return {
      user: toUserDto(row),
      accessToken: access.token,
      refreshToken: refreshToken ?? (await deps.refreshTokens.issue(row.id)),
      expiresIn: deps.tokens.accessTtlSeconds,
    };
  }

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/auth/register',
      summary: 'Create an account (the first one is admin)',
      tags,
      auth: false,
      body: registerBody,
      middleware: [rateLimit(deps.rateLimiters.register, (ctx) => `register:ip:${clientIp(ctx)}`)],
      responses: {
        201: { description: 'Account created, signed in', schema: sessionDto },
        409: { description: 'Email taken' },
      },
    },
    async (ctx, { body }) => {
      const passwordHash = await hashPassword(body.password);
      const row = await createUser(deps.sql, {
        id: deps.newId(),
        email: body.email,
        name: body.name,
        passwordHash,
        now: deps.clock(),
      });
      ctx.status = 201;
      ctx.body = await startSession(row);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/auth/login',
      summary: 'Sign in with email and password',
      tags,
      auth: false,
      body: loginBody,
      // Per address, and per account from one address: never per account alone, or anyone could
      // lock a person out by failing with their email from anywhere.
      middleware: [
        rateLimit(deps.rateLimiters.login, (ctx) => `login:ip:${clientIp(ctx)}`),
        rateLimit(deps.rateLimiters.loginAccount, (ctx) => {
          const email = rawEmail(ctx);
          return email ? `login:email:${email}:ip:${clientIp(ctx)}` : null;
        }),
      ],
      responses: { 200: { description: 'Signed in', schema: sessionDto }, 403: { description: 'Account disabled' } },
    },
    async (ctx, { body }) => {
      const row = await findUserByEmail(deps.sql, body.email);
      const valid = await verifyPassword(row?.password_hash ?? null, body.password);
      if (!row || !valid) throw new DomainError('AUTH.INVALID_CREDENTIALS', 'Wrong email or password');
      if (row.disabled) throw new DomainError('AUTH.ACCOUNT_DISABLED', 'This account is disabled');
      ctx.body = await startSession(row);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/auth/refresh',
      summary: 'Exchange a refresh token for new tokens (rotating)',
      tags,
      auth: false,
      body: refreshBody,
      responses: { 200: { description: 'New tokens', schema: sessionDto }, 403: { description: 'Account disabled' } },
    },
    async (ctx, { body }) => {
      const rotated = await deps.refreshTokens.rotate(body.refreshToken);
      const row = await findUserById(deps.sql, rotated.userId);
      if (!row) throw new DomainError('AUTH.REFRESH_INVALID', 'The account no longer exists');
      if (row.disabled) {
        await deps.refreshTokens.revoke(rotated.token);
        throw new DomainError('AUTH.ACCOUNT_DISABLED', 'This account is disabled');
      }
      ctx.body = await startSession(row, rotated.token);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/auth/logout',
      summary: 'End the session of a refresh token',
      tags,
      auth: false,
      body: refreshBody,
      responses: { 204: { description: 'Signed out' } },
    },
    async (ctx, { body }) => {
      await deps.refreshTokens.revoke(body.refreshToken);
      ctx.status = 204;
    },
  );

  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/me',
      readReplica: false,
      summary: 'The signed-in account',
      tags,
      responses: { 200: { description: 'The account', schema: userDto } },
    },
    async (ctx) => {
      const row = await findUserById(deps.sql, requireUser(ctx).id);
      if (!row) throw new DomainError('USER.NOT_FOUND', 'The account no longer exists');
      ctx.body = toUserDto(row);
    },
  );
}
