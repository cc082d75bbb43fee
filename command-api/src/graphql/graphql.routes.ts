import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DomainError } from '@primetrade/domain';
import type { Logger } from '@primetrade/platform';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ExecutionResult } from 'graphql';
import { createHandler, type Request as GraphQLRequest } from 'graphql-http';
import type { Middleware } from 'koa';
import { toDomainError } from '../http/problem.js';
import type { RouteRegistrar } from '../http/route.js';
import { requireUser, type AppContext, type AppState } from '../http/state.js';
import { createContext, type GraphQLContext, type GraphQLDeps } from './graphql.context.js';
import { queryLimitsRule, type QueryLimits } from './graphql.limits.js';
import { graphqlSchema } from './graphql.schema.js';

export interface GraphQLConfig extends QueryLimits {
  /** Whether `__schema` / `__type` are answered (config GRAPHQL_INTROSPECTION). */
  readonly introspection: boolean;
  /** The allow-list (persisted queries): sha256 hex of a document → the document; null allows any document. */
  readonly persistedQueries: ReadonlyMap<string, string> | null;
}

export const graphqlPath = '/graphql';
export const defaultGraphQLConfig: GraphQLConfig = {
  introspection: true,
  maxDepth: 10,
  maxCost: 50_000,
  persistedQueries: null,
};

export const documentHash = (document: string): string => createHash('sha256').update(document).digest('hex');

/**
 * Every error as the GraphQL response shows it: a DomainError keeps its message and code
 * (`extensions.code`, the domain's catalogue); a request the parser refused is VALIDATION.FAILED;
 * anything unexpected is logged (problem.ts's translator) and shown as "Internal error" with the request id.
 */
function formatErrorFor(ctx: AppContext, logger: Logger) {
  return (error: Readonly<GraphQLError | Error>): GraphQLError => {
    if (!(error instanceof GraphQLError)) {
      return new GraphQLError(error.message, { extensions: { code: 'VALIDATION.FAILED' } });
    }
    if (error.originalError === undefined || error.originalError === null) {
      return new GraphQLError(error.message, {
        nodes: error.nodes ?? null,
        extensions: { ...error.extensions, code: error.extensions['code'] ?? 'VALIDATION.FAILED' },
      });
    }
    const domain = toDomainError(error.originalError, ctx, logger);
    return new GraphQLError(domain.message, {
      nodes: error.nodes ?? null,
      path: error.path ?? null,
      extensions: {
        code: domain.code,
        ...(domain.details.length > 0 ? { details: domain.details } : {}),
        ...(domain.code === 'INTERNAL' ? { requestId: ctx.state.requestId } : {}),
      },
    });
  };
}

/** With an allow-list, a POST may name its document by `extensions.persistedQuery.sha256Hash` alone. */
function fillPersistedQuery(ctx: AppContext, persisted: ReadonlyMap<string, string>): void {
  const body = (ctx.request as { body?: unknown }).body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const params = body as { query?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } };
  const hash = params.extensions?.persistedQuery?.sha256Hash;
  if (params.query == null && typeof hash === 'string') {
    const document = persisted.get(hash);
    if (document !== undefined) params.query = document;
  }
}

const notAllowed = () =>
  new GraphQLError('This document is not on the allow-list of persisted queries', {
    extensions: { code: 'AUTH.FORBIDDEN' },
  });

/**
 * `GET|POST /api/v1/graphql` (docs/adr/0028-graphql-endpoint.md): authenticated like every API route,
 * rate-limited and idempotent (`Idempotency-Key`) through the same middleware; executed by graphql-http.
 */
export function registerGraphQLRoutes(registrar: RouteRegistrar, deps: GraphQLDeps, config: GraphQLConfig): void {
  const validationRules = [queryLimitsRule(config), ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const persisted = config.persistedQueries;

  const handler: Middleware<AppState> = async (ctx) => {
    const user = requireUser(ctx);
    if (persisted) fillPersistedQuery(ctx, persisted);
    const handle = createHandler<IncomingMessage, AppContext, GraphQLContext>({
      schema: graphqlSchema,
      context: (req) => createContext(deps, req.context, user, registrar.readGate),
      validationRules,
      formatError: formatErrorFor(ctx, ctx.state.logger),
      ...(persisted
        ? { onSubscribe: (_req, params) => (persisted.has(documentHash(params.query)) ? undefined : [notAllowed()]) }
        : {}),
      onOperation: (_req, _args, result: ExecutionResult) => {
        // A refusal reported in a 200 releases an Idempotency-Key, as a 4xx does (http/idempotency.ts).
        if (result.errors?.length) ctx.state.refused = true;
      },
    });
    const request: GraphQLRequest<IncomingMessage, AppContext> = {
      url: ctx.url,
      method: ctx.method,
      headers: ctx.headers,
      body: () => (ctx.request as { body?: unknown }).body as string,
      raw: ctx.req,
      context: ctx,
    };
    const [body, init] = await handle(request);
    if (init.status >= 400) ctx.state.refused = true;
    if (init.status === 415)
      throw new DomainError('REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
    ctx.status = init.status;
    ctx.body = body ?? '';
    for (const [name, value] of Object.entries(init.headers ?? {})) if (value !== undefined) ctx.set(name, value);
  };

  const chain = [registrar.authenticate, ...(registrar.afterAuth ?? []), handler] as never[];
  registrar.router.get(graphqlPath, ...chain);
  registrar.router.post(graphqlPath, ...chain);
}
