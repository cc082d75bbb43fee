import type { ErrorCode } from '@primetrade/domain';
import type { Logger, TokenService } from '@primetrade/platform';
import type { RealtimeIo, RealtimeSocket } from './socket.types.js';

type Middleware = Parameters<RealtimeIo['use']>[0];

/** The client sees `connect_error` with `err.message === 'unauthorized'` and `err.data.code`. */
function unauthorized(code: ErrorCode): Error & { data: { code: ErrorCode } } {
  return Object.assign(new Error('unauthorized'), { data: { code } });
}

export type Verdict =
  | { readonly ok: true; readonly claims: { readonly userId: string; readonly name: string; readonly exp: number } }
  | { readonly ok: false; readonly code: ErrorCode };

/** The access token check of every realtime handshake: Socket.IO's `auth.token`, graphql-ws' `connection_init`. */
export async function verifyHandshake(
  tokens: TokenService,
  token: unknown,
  isActive?: (userId: string) => Promise<boolean>,
): Promise<Verdict> {
  if (typeof token !== 'string' || token.length === 0) return { ok: false, code: 'AUTH.UNAUTHENTICATED' };
  const result = await tokens.verifyAccess(token);
  if (!result.ok)
    return { ok: false, code: result.reason === 'expired' ? 'AUTH.TOKEN_EXPIRED' : 'AUTH.UNAUTHENTICATED' };
  const { userId, name, exp } = result.claims;
  // A disabled or erased account is refused as HTTP refuses it, token or not.
  if (isActive && !(await isActive(userId))) return { ok: false, code: 'AUTH.ACCOUNT_DISABLED' };
  return { ok: true, claims: { userId, name, exp } };
}

/** Handshake auth (docs/api.md): `auth: { token }` must be a valid access token. */
export function authenticate(
  tokens: TokenService,
  logger: Logger,
  isActive?: (userId: string) => Promise<boolean>,
): Middleware {
  return (socket, next) => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.['token'];
    if (typeof token !== 'string' || token.length === 0) {
      next(unauthorized('AUTH.UNAUTHENTICATED'));
      return;
    }
    const admit = async (): Promise<Error | null> => {
      const result = await verifyHandshake(tokens, token, isActive);
      if (!result.ok) return unauthorized(result.code);
      const { userId, name, exp } = result.claims;
      socket.data = { userId, name, exp, presence: {} };
      return null;
    };
    admit().then(
      (refusal) => (refusal ? next(refusal) : next()),
      (error: unknown) => {
        logger.error({ err: error }, 'realtime: handshake check failed');
        next(unauthorized('AUTH.UNAUTHENTICATED'));
      },
    );
  };
}

// setTimeout keeps at most a 32-bit signed delay (~24.8 days); longer tokens re-arm.
const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * Drops the socket when its access token expires, so a revoked or downgraded user cannot keep
 * listening on an old token; the client reconnects with a fresh one. Returns the cleanup.
 */
export function dropOnExpiry(socket: RealtimeSocket, now: () => number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const remaining = socket.data.exp * 1000 - now();
    if (remaining <= 0) {
      socket.disconnect(true);
      return;
    }
    timer = setTimeout(arm, Math.min(remaining, maxTimerDelayMs));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
