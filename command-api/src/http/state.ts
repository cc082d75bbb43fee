import type { Logger } from '@primetrade/platform';
import type { DefaultContext, DefaultState, ParameterizedContext } from 'koa';

export interface AuthUser {
  readonly id: string;
  readonly name: string;
  readonly role: 'admin' | 'user';
}

/** Per-request data lives in `ctx.state`. */
export interface AppState extends DefaultState {
  requestId: string;
  /** The app logger's child bound to this request's id. */
  logger: Logger;
  /** Set by the auth middleware on protected routes. */
  user?: AuthUser;
  /** A 2xx answer that reports a refusal (GraphQL errors): an Idempotency-Key is released as after a 4xx. */
  refused?: boolean;
}

export type AppContext = ParameterizedContext<AppState, DefaultContext>;

/** The authenticated user, or 401 when a route forgot its auth middleware. */
export function requireUser(ctx: AppContext): AuthUser {
  const user = ctx.state.user;
  if (!user) ctx.throw(401, 'Authentication required');
  return user;
}
