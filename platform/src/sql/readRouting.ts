import { AsyncLocalStorage } from 'node:async_hooks';
import { Counter } from 'prom-client';
import type { Metrics } from '../observability/metrics.js';
import { createPostgresSql } from './postgresSql.js';
import { watchReplica, type ReplicaHealth, type ReplicaState } from './replicaHealth.js';
import type { Sql, SqlQueryable } from './sql.port.js';

/** A streaming replica reads may go to. */
export interface ReadReplica {
  readonly name: string;
  /** The replica's own pool: the read gate looks at its `projection_checkpoints` (docs/consistency.md). */
  readonly sql: SqlQueryable;
}

export interface ReplicaStatus {
  readonly name: string;
  readonly state: ReplicaState;
  readonly lagMs: number | null;
  /** Reads routed here since start. */
  readonly reads: number;
  /** Reads that began here and finished on the primary (a query failed on the replica). */
  readonly fallbacks: number;
}

export interface ReadRoutingStatus {
  /** Reads routed to the primary since start (no replica in service, or one behind the caller's token). */
  readonly primaryReads: number;
  readonly replicas: readonly ReplicaStatus[];
}

/**
 * Read-model queries to streaming replicas, without touching the query code (docs/adr/0029-read-replicas.md):
 * `sql` is a `Sql` whose `query` goes to the replica chosen for the read running now (an
 * AsyncLocalStorage scope opened by `run`), and everything else — transactions, `exec`, `LISTEN`,
 * and every query outside a read (writes, accounts, idempotency keys, refresh tokens) — to the primary.
 */
export interface ReadRouting {
  readonly sql: Sql;
  /** The next replica in service (round robin), or null: read from the primary. */
  pick(): ReadReplica | null;
  /** Runs `read` with its queries on `replica` (null: the primary). */
  run<T>(replica: ReadReplica | null, read: () => Promise<T>): Promise<T>;
  status(): ReadRoutingStatus;
  /** Stops the health checks and closes the replicas' pools (not the primary: `sql.close()` closes both). */
  close(): Promise<void>;
}

export interface ReadRoutingOptions {
  readonly primary: Sql;
  /** Connection URLs of the replicas (config READ_DATABASE_URLS). */
  readonly replicaUrls: readonly string[];
  /** A replica further behind is taken out until it catches up (config READ_REPLICA_MAX_LAG_MS). */
  readonly maxLagMs: number;
  /** How often each replica's health and lag are probed. Default 500 ms. */
  readonly checkIntervalMs?: number;
  readonly poolMax?: number;
  readonly applicationName?: string;
  readonly metrics?: Pick<Metrics, 'breakerState' | 'registry'>;
}

interface Replica extends ReadReplica {
  readonly pool: Sql;
  readonly health: ReplicaHealth;
  reads: number;
  fallbacks: number;
}

/** The read running now: where its queries go; a failure on the replica moves the rest to the primary. */
interface ReadScope {
  replica: Replica | null;
}

/** Statement errors are answers (the primary would say the same); anything else is worth a retry there. */
const isStatementError = (error: unknown): boolean => /^(22|23|42|P0)/.test(sqlState(error));
/** Connection refused or lost, the server shutting down or refusing connections: the replica is out. */
const isServerGone = (error: unknown): boolean => {
  const code = sqlState(error);
  return !/^[0-9A-Z]{5}$/.test(code) || /^(08|53|57)/.test(code);
};
function sqlState(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

export function createReadRouting(options: ReadRoutingOptions): ReadRouting {
  const { primary } = options;
  const scopes = new AsyncLocalStorage<ReadScope>();
  const replicas: Replica[] = options.replicaUrls.map((url, index) => {
    const name = `replica-${index + 1}`;
    const pool = createPostgresSql({
      connectionString: url,
      max: options.poolMax ?? 10,
      applicationName: `${options.applicationName ?? 'primetrade'}:${name}`,
      // A replica that is gone must not hold a read for the primary's 5 s: the read falls back.
      connectionTimeoutMs: 1_000,
    });
    const health = watchReplica({
      name,
      primary,
      replica: pool,
      maxLagMs: options.maxLagMs,
      intervalMs: options.checkIntervalMs ?? 500,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    void health.probe();
    return { name, sql: pool, pool, health, reads: 0, fallbacks: 0 };
  });
  const served = options.metrics
    ? new Counter({
        name: 'primetrade_read_requests_total',
        help: 'Reads by the server that answered them: primary or replica-N',
        labelNames: ['server'],
        registers: [options.metrics.registry],
      })
    : null;
  let primaryReads = 0;
  let next = 0;

  async function query<R extends object>(text: string, params?: readonly unknown[]): Promise<R[]> {
    const scope = scopes.getStore();
    const replica = scope?.replica;
    if (!scope || !replica) return primary.query<R>(text, params);
    try {
      return await replica.pool.query<R>(text, params);
    } catch (error) {
      if (isStatementError(error)) throw error;
      // Gone, lagging into a recovery conflict, or a write a GET made: the primary answers the rest of this read.
      if (isServerGone(error)) replica.health.failed();
      scope.replica = null;
      replica.fallbacks += 1;
      served?.inc({ server: 'primary-fallback' });
      return primary.query<R>(text, params);
    }
  }

  const routed: Sql = {
    kind: primary.kind,
    query,
    exec: (text) => primary.exec(text),
    copyFrom: (table, columns, rows) => primary.copyFrom(table, columns, rows),
    tx: (fn) => primary.tx(fn),
    listen: (channel, onNotify) => primary.listen(channel, onNotify),
    async close() {
      await routing.close();
      await primary.close();
    },
  };

  const routing: ReadRouting = {
    sql: routed,
    pick() {
      for (let tried = 0; tried < replicas.length; tried += 1) {
        const replica = replicas[(next + tried) % replicas.length];
        if (replica?.health.state() === 'in') {
          next = (next + tried + 1) % replicas.length;
          return replica;
        }
      }
      return null;
    },
    run(chosen, read) {
      const replica = replicas.find((candidate) => candidate === chosen) ?? null;
      if (replica) replica.reads += 1;
      else primaryReads += 1;
      served?.inc({ server: replica?.name ?? 'primary' });
      return scopes.run({ replica }, read);
    },
    status: () => ({
      primaryReads,
      replicas: replicas.map((replica) => ({
        name: replica.name,
        state: replica.health.state(),
        lagMs: replica.health.lagMs(),
        reads: replica.reads,
        fallbacks: replica.fallbacks,
      })),
    }),
    async close() {
      for (const replica of replicas) replica.health.stop();
      await Promise.all(replicas.map((replica) => replica.pool.close()));
    },
  };
  return routing;
}
