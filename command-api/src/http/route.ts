import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Router } from '@koa/router';
import { DomainError, type ErrorDetail } from '@primetrade/domain';
import type { Middleware } from 'koa';
import type { z } from 'zod';
import { minRevisionHeaders, type MinRevisionScope } from './minRevision.js';
import type { ReadGate } from './readGate.js';
import type { AppContext, AppState } from './state.js';

/**
 * One definition per endpoint: the zod schemas validate the request AND generate the OpenAPI
 * document, so the docs cannot drift from the code.
 */
export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

type AnyObject = z.ZodType<Record<string, unknown>>;

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  readonly method: HttpMethod;
  /** Koa path, e.g. `/boards/:boardId`. */
  readonly path: string;
  readonly summary: string;
  readonly tags: readonly string[];
  /** false for public routes (register, login, refresh). Default true. */
  readonly auth?: boolean;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** Status → description and optional response schema, for the OpenAPI document. */
  readonly responses: Readonly<Record<number, { description: string; schema?: z.ZodType }>>;
  /** Extra middleware run before validation (auth, rate limits). */
  readonly middleware?: readonly Middleware<AppState>[];
  /**
   * false for reads that `Min-Revision` must not hold back: those answered from the event store
   * (never behind a write) and the proxy's board lookup. Default: every authenticated GET honours it.
   */
  readonly minRevision?: false;
  /**
   * false for reads of what the API writes itself, not the projector (accounts, notification read
   * marks, exports): no token covers them, so they read the primary, never a replica (ADR 0029).
   */
  readonly readReplica?: false;
}

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

export const zodIssuesToDetails = (prefix: string, error: z.ZodError): ErrorDetail[] =>
  error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));

/** The path of the first string holding NUL, which PostgreSQL cannot store in text or jsonb. */
function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulPath(item, `${path}.${index}`);
      if (found) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = nulPath(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const withNul = nulPath(value, where);
  if (withNul) {
    throw new DomainError('VALIDATION.FAILED', `${withNul}: must not contain the NUL character`, [
      { field: withNul, message: 'must not contain the NUL character' },
    ]);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = zodIssuesToDetails(where, result.error);
  const first = details[0];
  throw new DomainError('VALIDATION.FAILED', first ? `${first.field}: ${first.message}` : 'Invalid request', details);
}

const problemResponse = { description: 'Problem (application/problem+json)' };
const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export interface RouteRegistrar {
  readonly router: Router<AppState>;
  readonly registry: OpenAPIRegistry;
  /** Prefix for the OpenAPI paths, e.g. `/api/v1`. */
  readonly prefix: string;
  /**
   * Honours `Min-Revision` on authenticated GET routes (read-your-writes, docs/consistency.md):
   * the scope is the route's board (`:boardId`), its task's board (`:taskId`), or any board.
   */
  readonly readGate?: ReadGate;
  /** Authentication middleware applied to every route unless `auth: false`. */
  readonly authenticate: Middleware<AppState>;
  /** Run after authentication on every authenticated route (per-user rate limit, Idempotency-Key). */
  readonly afterAuth?: readonly Middleware<AppState>[];
}

/** Which boards a read's `Min-Revision` may name, from its path. */
const minRevisionScopeOf = (path: string): MinRevisionScope =>
  path.includes(':boardId') ? 'board' : path.includes(':taskId') ? 'task' : 'boards';

export function defineRoute<P extends AnyObject, Q extends AnyObject, B extends z.ZodType = z.ZodUndefined>(
  registrar: RouteRegistrar,
  spec: RouteSpec<P, Q, B>,
  handler: (ctx: AppContext, input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<void>,
): void {
  const needsAuth = spec.auth ?? true;
  const responses: RouteConfig['responses'] = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = response.schema
      ? { description: response.description, content: { 'application/json': { schema: response.schema } } }
      : { description: response.description };
  }
  const scope =
    registrar.readGate && needsAuth && spec.method === 'get' && spec.minRevision !== false
      ? minRevisionScopeOf(spec.path)
      : null;
  for (const status of ['400', ...(needsAuth ? ['401'] : []), '429', ...(scope ? ['503'] : [])])
    responses[status] ??= problemResponse;
  registrar.registry.registerPath({
    method: spec.method,
    path: registrar.prefix + toOpenApiPath(spec.path),
    summary: spec.summary,
    tags: [...spec.tags],
    ...(needsAuth ? { security: [{ bearerAuth: [] }] } : {}),
    request: {
      ...(spec.params ? { params: spec.params as never } : {}),
      ...(spec.query ? { query: spec.query as never } : {}),
      ...(scope ? { headers: minRevisionHeaders } : {}),
      ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } } : {}),
    },
    responses,
  });

  const validate: Middleware<AppState> = async (ctx) => {
    const input = {
      params: spec.params ? parseOrThrow(spec.params, ctx.params, 'params') : {},
      query: spec.query ? parseOrThrow(spec.query, ctx.query, 'query') : {},
      body: spec.body ? parseOrThrow(spec.body, (ctx.request as { body?: unknown }).body ?? {}, 'body') : undefined,
    } as RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>;
    const read = () => handler(ctx, input);
    const gate = registrar.readGate;
    await (scope && gate ? gate(ctx, scope, input.params, read, { replica: spec.readReplica !== false }) : read());
  };
  const chain: Middleware<AppState>[] = [
    ...(needsAuth ? [registrar.authenticate, ...(registrar.afterAuth ?? [])] : []),
    ...(spec.middleware ?? []),
    validate,
  ];
  registrar.router[spec.method](spec.path, ...(chain as never[]));
}
