import { databaseCheck, tolerated, type ReadinessCheck } from '@primetrade/platform';

type Queryable = Parameters<typeof databaseCheck>[0];

export interface CommandNodeDependencies {
  /** Whether the rate limits' Redis connection is up. */
  readonly redisUp: () => boolean;
  readonly readSql: Queryable;
  /** The PostgreSQL event store's database; null when the store is EventStoreDB (its client reconnects itself). */
  readonly eventStoreSql: Queryable | null;
}

/**
 * Readiness of a command-api node in cluster mode. Its essential work is accepting commands, which
 * needs only the event store: the store down is "unavailable" (503, out of rotation). Without the
 * read database it still accepts commands (queries answer 503 with Retry-After), and without Redis
 * it enforces rate limits per node: both are "degraded" (200), so an orchestrator keeps the writer
 * in rotation (docs/deploy.md).
 */
export function commandNodeReadiness(deps: CommandNodeDependencies): ReadinessCheck {
  return async () => ({
    redis: await tolerated(
      deps.redisUp() ? { ok: true } : { ok: false, detail: 'Redis unreachable' },
      'rate limits enforced per node',
    ),
    readDatabase: await tolerated(
      databaseCheck(deps.readSql, 'read database'),
      'commands still accepted, queries answer 503',
    ),
    eventStore: deps.eventStoreSql ? await databaseCheck(deps.eventStoreSql, 'event store') : { ok: true },
  });
}
