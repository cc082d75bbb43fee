import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createMemoryRateLimiter, type Config, type RateLimiter } from '@primetrade/platform';
import type { AppDeps } from './app.js';
import { loadPersistedQueries } from './graphql/persistedQueries.js';

/** The command-api's dependencies from config: shared by every mode and the benchmarks. */
export function commandApiDeps(
  config: Config,
  parts: Pick<AppDeps, 'logger' | 'metrics' | 'sql' | 'store' | 'tokens' | 'readiness' | 'projectionAdmin'> &
    Partial<Pick<AppDeps, 'readRouting' | 'search'>> & {
      version?: string | undefined;
      /** Cluster mode shares budgets through Redis; the default keeps them in this process. */
      rateLimiter?: (budget: {
        points: number;
        durationMs: number;
        name: 'login' | 'login-account' | 'register' | 'api';
      }) => RateLimiter;
    },
): AppDeps {
  const limiter = parts.rateLimiter ?? ((budget) => createMemoryRateLimiter(budget));
  const { rateLimiter: _rateLimiter, ...deps } = parts;
  return {
    ...deps,
    config: {
      apiPrefix: '/api/v1',
      corsOrigins: config.CORS_ORIGINS,
      bodyLimitBytes: config.BODY_LIMIT,
      trustProxy: config.TRUST_PROXY,
      webRoot: config.WEB_ROOT === undefined ? defaultWebRoot() : config.WEB_ROOT || null,
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
      minRevisionWaitMs: config.MIN_REVISION_WAIT_MS,
      version: parts.version ?? '0.1.0',
      commandConflictDeadlineMs: config.COMMAND_CONFLICT_DEADLINE_MS,
      graphql: {
        introspection: config.GRAPHQL_INTROSPECTION ?? config.NODE_ENV !== 'production',
        maxDepth: config.GRAPHQL_MAX_DEPTH,
        maxCost: config.GRAPHQL_MAX_COST,
        persistedQueries:
          config.GRAPHQL_PERSISTED_QUERIES === undefined
            ? null
            : loadPersistedQueries(config.GRAPHQL_PERSISTED_QUERIES),
      },
    },
    rateLimiters: {
      login: limiter({ name: 'login', points: config.RATE_LIMIT_LOGIN_PER_15_MINUTES, durationMs: 15 * 60_000 }),
      loginAccount: limiter({
        name: 'login-account',
        points: config.RATE_LIMIT_LOGIN_ACCOUNT_PER_15_MINUTES,
        durationMs: 15 * 60_000,
      }),
      register: limiter({ name: 'register', points: config.RATE_LIMIT_REGISTER_PER_HOUR, durationMs: 3_600_000 }),
      api: limiter({ name: 'api', points: config.RATE_LIMIT_API_PER_MINUTE, durationMs: 60_000 }),
    },
    clock: () => new Date(),
    newId: randomUUID,
  };
}

function defaultWebRoot(): string {
  return path.resolve(import.meta.dirname, '../../web/dist');
}
