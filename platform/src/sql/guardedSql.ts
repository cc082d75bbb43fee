import type { Metrics } from '../observability/metrics.js';
import { createBreaker, type Breaker, type BreakerState } from '../resilience/breaker.js';
import type { Sql, SqlQueryable } from './sql.port.js';

export interface GuardedSql extends Sql {
  /** The breaker's state, for `/readyz`. */
  breakerState(): BreakerState;
}

/** SQLSTATE classes that are the caller's fault (bad data, constraint, syntax): they never open the breaker. */
function isCallersFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|40|42|P0)/.test(code);
}

/**
 * A `Sql` whose every query and transaction passes an opossum breaker (cluster mode, docs/cluster.md):
 * while the database is down, calls fail at once with `EOPENBREAKER` (the API answers 503) instead
 * of each waiting out a connection timeout. Statement errors (constraints, serialization, syntax)
 * are answers, not outages, and leave the breaker alone.
 */
export function createGuardedSql(
  sql: Sql,
  options: { readonly name: string; readonly timeoutMs?: number; readonly metrics?: Pick<Metrics, 'breakerState'> },
): GuardedSql {
  const breaker: Breaker<[() => Promise<unknown>], unknown> = createBreaker(options.name, (call) => call(), {
    // No breaker timeout by default: abandoning a call does not cancel it, and a transaction that
    // commits after its caller got a 503 (a rotated refresh token, say) is worse than a slow answer.
    // The pool's connection timeout and PostgreSQL's statement timeout end calls for real.
    timeoutMs: options.timeoutMs ?? false,
    resetTimeoutMs: 2_000,
    volumeThreshold: 3,
    isExpectedError: isCallersFault,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const guard = <T>(call: () => Promise<T>): Promise<T> => breaker.fire(call) as Promise<T>;
  return {
    kind: sql.kind,
    query: (text, params) => guard(() => sql.query(text, params)),
    exec: (text) => guard(() => sql.exec(text)),
    copyFrom: (table, columns, rows) => guard(() => sql.copyFrom(table, columns, rows)),
    tx: <T>(fn: (tx: SqlQueryable) => Promise<T>) => guard(() => sql.tx(fn)),
    listen: (channel, onNotify) => sql.listen(channel, onNotify),
    breakerState: () => breaker.state(),
    async close() {
      breaker.shutdown();
      await sql.close();
    },
  };
}
