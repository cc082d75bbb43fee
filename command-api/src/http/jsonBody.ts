import { bodyParser } from '@koa/bodyparser';
import { DomainError } from '@primetrade/domain';
import type { Context, Middleware } from 'koa';

const parsedMethods = ['POST', 'PUT', 'PATCH'];

const isJson = (ctx: Context): boolean => ctx.is('application/json', '+json') !== false;

/** A body is present when the client says so; an empty POST is fine (the route validates). */
const hasBody = (ctx: Context): boolean => {
  const length = ctx.get('Content-Length');
  return ctx.get('Transfer-Encoding') !== '' || (length !== '' && length !== '0');
};

/**
 * JSON bodies only, at most `limitBytes`: other media types are 415, oversized bodies 413
 * (raw-body's error, translated by the problem middleware), malformed JSON 400.
 */
export function jsonBody(limitBytes: number): Middleware {
  const parse = bodyParser({
    enableTypes: ['json'],
    parsedMethods,
    detectJSON: isJson,
    jsonLimit: limitBytes,
    encoding: 'utf-8',
    onError: (error) => {
      if ((error as { status?: number }).status !== 400) throw error;
      throw new DomainError('VALIDATION.FAILED', 'The body is not valid JSON (an object or an array)', [
        { field: 'body', message: 'Invalid JSON' },
      ]);
    },
  });
  return async (ctx, next) => {
    if (parsedMethods.includes(ctx.method) && hasBody(ctx) && !isJson(ctx)) {
      throw new DomainError('REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
    }
    await parse(ctx, next);
  };
}
