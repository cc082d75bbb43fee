import type {
  EventStore,
  Logger,
  Metrics,
  RateLimiter,
  ReadRouting,
  Sql,
  TextCache,
  TokenService,
} from '@primetrade/platform';
import {
  createPgSearchIndex,
  createProjectionProgress,
  type ProjectionAdmin,
  type SearchIndex,
} from '@primetrade/read-model';
import Koa from 'koa';
import compress from 'koa-compress';
import { registerAdminRoutes } from './admin/admin.routes.js';
import { registerDataCareRoutes } from './admin/dataCare.routes.js';
import { registerProjectionAdminRoutes } from './admin/projections.routes.js';
import { registerAuthRoutes } from './auth/auth.routes.js';
import { authenticate, createAccountStatus } from './auth/authenticate.js';
import { createRefreshTokens } from './auth/refreshTokens.js';
import { registerBoardApi } from './boards/index.js';
import { createCommandHandler } from './commands/handleCommand.js';
import { defaultGraphQLConfig, registerGraphQLRoutes, type GraphQLConfig } from './graphql/graphql.routes.js';
import { registerNotificationRoutes } from './notifications/notifications.routes.js';
import { registerSearchRoutes } from './search/search.routes.js';
import { idempotency } from './http/idempotency.js';
import { jsonBody } from './http/jsonBody.js';
import { requestId, requestLog, traceRequest } from './http/observability.js';
import { problemMiddleware } from './http/problem.js';
import { rateLimit } from './http/rateLimit.js';
import { createReadGate } from './http/readGate.js';
import { createRegistrar } from './http/registrar.js';
import type { RouteRegistrar } from './http/route.js';
import { corsAllowList, securityHeaders } from './http/security.js';
import type { AppState } from './http/state.js';
import { webStatic } from './http/webStatic.js';
import { registerSecuritySchemes } from './ops/openapi.js';
import { createOpsRouter, type ReadinessCheck } from './ops/ops.routes.js';

export interface AppConfig {
  /** e.g. `/api/v1`. */
  readonly apiPrefix: string;
  /** Browser origins allowed to call the API cross-origin; `*` for any. */
  readonly corsOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  /** Behind a proxy: read the client IP from X-Forwarded-For. */
  readonly trustProxy: boolean;
  /** The built web app to serve, or null for the API only. */
  readonly webRoot: string | null;
  readonly refreshTtlSeconds: number;
  readonly version: string;
  /** How long a read carrying `Min-Revision` waits for the read models (docs/consistency.md). Default 3000 ms. */
  readonly minRevisionWaitMs?: number;
  /** How long a command re-decides after revision conflicts before answering 503 (docs/adr/0016). */
  readonly commandConflictDeadlineMs?: number | undefined;
  /** How long a task route waits for the read model to learn an unknown task id (tasks/tasks.lookup.ts). Default 1000 ms. */
  readonly taskLookupWaitMs?: number | undefined;
  /** `/api/v1/graphql`: limits, introspection, allow-list (docs/adr/0028-graphql-endpoint.md). */
  readonly graphql?: GraphQLConfig | undefined;
}

export interface AppDeps {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly sql: Sql;
  /**
   * Read replicas (cluster mode, docs/adr/0029-read-replicas.md): then `sql` must be `readRouting.sql`,
   * which sends the queries of authenticated GETs to the replica the read gate picks.
   */
  readonly readRouting?: ReadRouting;
  readonly store: EventStore;
  readonly tokens: TokenService;
  readonly rateLimiters: {
    readonly login: RateLimiter;
    readonly loginAccount: RateLimiter;
    readonly register: RateLimiter;
    readonly api: RateLimiter;
  };
  readonly clock: () => Date;
  /** UUID v4. */
  readonly newId: () => string;
  readonly readiness: ReadinessCheck;
  /** Projection status and rebuild behind `/admin/projections`: the projector's, injected by server/. */
  readonly projectionAdmin: ProjectionAdmin;
  /** Statistics cache (cluster mode: Redis); in memory when absent. */
  readonly statsCache?: TextCache;
  /** The search index (docs/adr/0024-search-engine.md): server/ passes the one its search projection feeds; PostgreSQL full text on `sql` when absent. */
  readonly search?: SearchIndex;
  /** More route modules on the API router (tests, extensions); registered after the built-in ones. */
  readonly routes?: readonly ((registrar: RouteRegistrar) => void)[];
}

/** Builds the Koa app. No side effects: nothing listens, no timers; `main.ts` wires. */
export function createApp(deps: AppDeps): Koa<AppState> {
  const { config } = deps;
  const app = new Koa<AppState>({ proxy: config.trustProxy });
  const accounts = createAccountStatus(deps.sql, deps.clock);
  const refreshTokens = createRefreshTokens({
    sql: deps.sql,
    clock: deps.clock,
    newId: deps.newId,
    ttlSeconds: config.refreshTtlSeconds,
  });

  const registrar = createRegistrar({
    prefix: config.apiPrefix,
    authenticate: authenticate(deps.tokens, accounts),
    afterAuth: [
      // nginx's task → board lookup (tasks/boardOfTask.routes.ts) rides on a request that is charged already.
      rateLimit(deps.rateLimiters.api, (ctx) =>
        ctx.state.user && !ctx.path.startsWith(`${config.apiPrefix}/internal/`)
          ? `api:user:${ctx.state.user.id}`
          : null,
      ),
      idempotency({ sql: deps.sql, clock: deps.clock, logger: deps.logger }),
    ],
    // LISTENs only once a read has to wait; the connection closes with `deps.sql`.
    readGate: createReadGate({
      sql: deps.sql,
      store: deps.store,
      progress: createProjectionProgress(deps.sql),
      waitMs: config.minRevisionWaitMs ?? 3_000,
      ...(deps.readRouting ? { routing: deps.readRouting } : {}),
    }),
  });
  registerSecuritySchemes(registrar.registry);
  registerAuthRoutes(registrar, { ...deps, refreshTokens });
  registerAdminRoutes(registrar, { sql: deps.sql, clock: deps.clock, accounts, refreshTokens });
  // One handler (and board-state cache) for the board routes and the erasure, which removes members.
  const commands = createCommandHandler({
    store: deps.store,
    logger: deps.logger,
    metrics: deps.metrics,
    newId: deps.newId,
    conflictRetry:
      config.commandConflictDeadlineMs === undefined ? undefined : { deadlineMs: config.commandConflictDeadlineMs },
  });
  registerDataCareRoutes(registrar, { sql: deps.sql, store: deps.store, clock: deps.clock, accounts, commands });
  registerProjectionAdminRoutes(registrar, deps.projectionAdmin);
  const boardDeps = {
    store: deps.store,
    sql: deps.sql,
    clock: deps.clock,
    newId: deps.newId,
    logger: deps.logger,
    metrics: deps.metrics,
    statsCache: deps.statsCache,
    conflictDeadlineMs: config.commandConflictDeadlineMs,
    readModelWaitMs: config.taskLookupWaitMs,
    commands,
  };
  const search = deps.search ?? createPgSearchIndex(deps.sql);
  registerBoardApi(registrar, boardDeps);
  registerGraphQLRoutes(registrar, { ...boardDeps, search }, config.graphql ?? defaultGraphQLConfig);
  registerNotificationRoutes(registrar, { sql: deps.sql, clock: deps.clock });
  registerSearchRoutes(registrar, { search });
  for (const register of deps.routes ?? []) register(registrar);

  app.use(problemMiddleware(deps.logger));
  app.use(requestId(deps.newId));
  app.use(traceRequest());
  app.use(requestLog(deps.logger, deps.metrics));
  app.use(securityHeaders());
  app.use(corsAllowList(config.corsOrigins));
  app.use(compress());
  app.use(jsonBody(config.bodyLimitBytes));
  app.use(registrar.router.routes());
  const ops = createOpsRouter({
    ...config,
    metrics: deps.metrics,
    readiness: deps.readiness,
    registry: registrar.registry,
  });
  app.use(ops.router.routes());
  app.use(ops.assets);
  if (config.webRoot) for (const middleware of webStatic(config.webRoot)) app.use(middleware);
  return app;
}
