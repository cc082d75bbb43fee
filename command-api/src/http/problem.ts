import { DomainError, errorStatus, type ErrorCode, type ErrorDetail } from '@primetrade/domain';
import { isBreakerOpenError, isBreakerTimeoutError, reportError, type Logger } from '@primetrade/platform';
import type { Middleware } from 'koa';
import type { AppContext, AppState } from './state.js';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly instance: string;
  readonly requestId: string;
  readonly errors?: readonly ErrorDetail[];
}

export const titles: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

interface HttpErrorLike {
  status: number;
  message: string;
  type?: string;
  expose?: boolean;
  headers?: unknown;
}

/** Errors thrown by Koa and its middleware (http-errors) carry a status and sometimes a type. */
function fromHttpError(error: HttpErrorLike): DomainError {
  switch (error.status) {
    case 400:
      return new DomainError(
        'VALIDATION.FAILED',
        error.type === 'entity.parse.failed' ? 'The body is not valid JSON' : error.message,
      );
    case 401:
      return new DomainError('AUTH.UNAUTHENTICATED', 'Authentication required');
    case 403:
      return new DomainError('AUTH.FORBIDDEN', error.expose ? error.message : 'Forbidden');
    case 404:
      return new DomainError('ROUTE.NOT_FOUND', error.expose ? error.message : 'Not found');
    case 413:
      return new DomainError('REQUEST.TOO_LARGE', 'The request body is too large');
    case 415:
      return new DomainError('REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
    case 503:
      return new DomainError('SERVICE.UNAVAILABLE', error.expose ? error.message : 'Service unavailable');
    default:
      return new DomainError('INTERNAL', 'Internal error');
  }
}

const hasStatus = (error: unknown): error is HttpErrorLike =>
  typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number';

/** Maps anything thrown to a DomainError; unknown failures are logged and become INTERNAL. */
export function toDomainError(error: unknown, ctx: AppContext, logger: Logger): DomainError {
  if (error instanceof DomainError) return error;
  // A backing service behind a breaker is down (or too slow): fail fast, tell the client to retry.
  if (isBreakerOpenError(error) || isBreakerTimeoutError(error)) {
    ctx.set('Retry-After', '2');
    return new DomainError('SERVICE.UNAVAILABLE', 'A backing service is unavailable right now; try again shortly');
  }
  if (hasStatus(error) && (error.status < 500 || error.status === 503)) return fromHttpError(error);
  logger.error({ err: error, requestId: ctx.state.requestId, path: ctx.path }, 'unhandled error');
  reportError(error, { requestId: ctx.state.requestId, method: ctx.method, path: ctx.path });
  return new DomainError('INTERNAL', 'Internal error');
}

/**
 * Writes `error` as the problem+json response on `ctx`. Exported for middleware that must see the
 * final response of a failed request (Idempotency-Key stores 4xx problems for replay).
 */
export function writeProblem(ctx: AppContext, error: unknown, logger: Logger): void {
  const domainError = toDomainError(error, ctx, logger);
  const status = errorStatus[domainError.code];
  const problem: Problem = {
    type: `urn:primetrade:problem:${domainError.code}`,
    title: titles[status] ?? 'Error',
    status,
    code: domainError.code,
    detail: domainError.message,
    instance: ctx.path,
    requestId: ctx.state.requestId,
    ...(domainError.details.length > 0 ? { errors: domainError.details } : {}),
  };
  ctx.status = status;
  ctx.type = 'application/problem+json';
  ctx.body = problem;
  if (hasStatus(error) && typeof error.headers === 'object' && error.headers) {
    ctx.set(error.headers as Record<string, string>);
  }
}

/** The one error translator: first in the chain, everything becomes problem+json. */
export function problemMiddleware(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new DomainError('ROUTE.NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (error) {
      writeProblem(ctx, error, logger);
    }
  };
}
