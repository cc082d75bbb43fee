import {
  databaseCheck,
  tolerated,
  type ReadinessCheck,
  type ReadinessCheckResult,
  type ReadRoutingStatus,
} from '@primetrade/platform';

type Queryable = Parameters<typeof databaseCheck>[0];

export interface CommandNodeDependencies {
  /** Whether the rate limits' Redis connection is up. */
  readonly redisUp: () => boolean;
  readonly readSql: Queryable;
  /** The PostgreSQL event store's database; null when the store is EventStoreDB (its client reconnects itself). */
  readonly eventStoreSql: Queryable | null;
  /** The read replicas' state (READ_DATABASE_URLS); absent when there are none. */
  readonly readReplicas?: () => ReadRoutingStatus;
}

/** Which replicas serve reads, their lag and how many reads each (and the primary) answered: ADR 0029. */
export function replicasCheck(status: ReadRoutingStatus): ReadinessCheckResult {
  const replicas = status.replicas.map(
    (replica) => `${replica.name} ${replica.state} (lag ${replica.lagMs ?? '?'} ms, ${replica.reads} reads)`,
  );
  const detail = [...replicas, `primary ${status.primaryReads} reads`].join(', ');
  const out = status.replicas.filter((replica) => replica.state !== 'in');
  return out.length === 0
    ? { ok: true, detail }
    : { ok: false, degraded: true, detail: `${detail}: reads on the primary` };
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
    ...(deps.readReplicas ? { readReplicas: replicasCheck(deps.readReplicas()) } : {}),
  });
}
