import { bodyParser } from '@koa/bodyparser';
import { DomainError } from '@primetrade/domain';
import type { Context, Middleware } from 'koa';

const parsedMethods = ['POST', 'PUT', 'PATCH'];
/** Far beyond any request of the API (a board with columns is 3 levels), far below a stack overflow. */
export const maxBodyDepth = 32;

const isJson = (ctx: Context): boolean => ctx.is('application/json', '+json') !== false;

/** A body is present when the client says so; an empty POST is fine (the route validates). */
const hasBody = (ctx: Context): boolean => {
  const length = ctx.get('Content-Length');
  return ctx.get('Transfer-Encoding') !== '' || (length !== '' && length !== '0');
};

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const invalidBody = (message: string, detail: string): DomainError =>
  new DomainError('VALIDATION.FAILED', message, [{ field: 'body', message: detail }]);

/** zlib and brotli report a body that does not decompress with these codes (and no HTTP status). */
const isCorruptEncoding = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__ERROR_'));
};

/**
 * Walks the parsed body without recursion: nesting deeper than `maxBodyDepth` would overflow the
 * stack of every recursive step after parsing (validation, hashing, logging); a lone UTF-16
 * surrogate is a string no store can keep (PostgreSQL refuses it in JSON).
 */
export function checkJsonValue(value: unknown): string | null {
  const pending: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: 'body' }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item.value === 'string') {
      if (loneSurrogate.test(item.value)) return `${item.path} holds a lone UTF-16 surrogate`;
      continue;
    }
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= maxBodyDepth) return `The body is nested deeper than ${maxBodyDepth} levels`;
    for (const [key, child] of Object.entries(item.value)) {
      if (loneSurrogate.test(key)) return `A key in ${item.path} holds a lone UTF-16 surrogate`;
      pending.push({
        value: child,
        depth: item.depth + 1,
        path: Array.isArray(item.value) ? `${item.path}[${key}]` : `${item.path}.${key}`,
      });
    }
  }
  return null;
}

/**
 * JSON bodies only, at most `limitBytes`: other media types are 415, oversized bodies 413
 * (raw-body's error, translated by the problem middleware), malformed JSON, a body that does not
 * decompress, absurd nesting and lone surrogates 400.
 */
export function jsonBody(limitBytes: number): Middleware {
  const parse = bodyParser({
    enableTypes: ['json'],
    parsedMethods,
    detectJSON: isJson,
    jsonLimit: limitBytes,
    encoding: 'utf-8',
    onError: (error) => {
      if (isCorruptEncoding(error))
        throw invalidBody('The body does not decompress with its Content-Encoding', 'Corrupt compressed body');
      if ((error as { status?: number }).status !== 400) throw error;
      throw invalidBody('The body is not valid JSON (an object or an array)', 'Invalid JSON');
    },
  });
  return async (ctx, next) => {
    if (parsedMethods.includes(ctx.method) && hasBody(ctx) && !isJson(ctx)) {
      throw new DomainError('REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
    }
    await parse(ctx, async () => {
      const problem = checkJsonValue((ctx.request as { body?: unknown }).body);
      if (problem !== null) throw invalidBody('The body cannot be accepted', problem);
      await next();
    });
  };
}
