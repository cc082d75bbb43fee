import { performance } from 'node:perf_hooks';
import type { Sql } from '@primetrade/platform';

/** The relay lost (or never had) the lease it acted under; it must stop publishing at once. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

export interface LeaseOptions {
  readonly sql: Sql;
  /** The role the lease is for (one active relay per name). */
  readonly name: string;
  /** Who asks: unique per process. */
  readonly holder: string;
  /** How long a lease lasts without renewal. Default 6000. */
  readonly ttlMs?: number;
}

export interface LeaderLease {
  readonly name: string;
  readonly holder: string;
  /** The epoch held now, or null. */
  epoch(): bigint | null;
  /** Takes the lease if it is free or expired; renews it if this holder has it. Returns the epoch or null. */
  campaign(): Promise<bigint | null>;
  /**
   * True while the lease is certainly still ours by this process's monotonic clock: the last
   * renewal's start + ttl − a safety margin. A process paused past that (GC, SIGSTOP) sees false
   * when it wakes, before it can publish anything.
   */
  isValid(): boolean;
  /** Lets a standby take over at once (graceful shutdown). */
  release(): Promise<void>;
  readonly ttlMs: number;
}

/**
 * A leader lease in PostgreSQL with the database's clock as the only clock that decides expiry,
 * and an epoch that fences writes made under a lost lease (see `withLease`).
 */
export function createLeaderLease(options: LeaseOptions): LeaderLease {
  const ttlMs = options.ttlMs ?? 6_000;
  const marginMs = Math.max(500, Math.floor(ttlMs / 3));
  let held: bigint | null = null;
  let validUntil = 0;
  const seconds = ttlMs / 1000;

  return {
    name: options.name,
    holder: options.holder,
    ttlMs,
    epoch: () => held,
    isValid: () => held !== null && performance.now() < validUntil,

    async campaign() {
      const startedAt = performance.now();
      const rows =
        held === null
          ? await options.sql.query<{ epoch: string }>(
              `INSERT INTO relay_leases (name, holder, epoch, expires_at)
               VALUES ($1, $2, 1, now() + make_interval(secs => $3::float8))
               ON CONFLICT (name) DO UPDATE
                 SET holder = excluded.holder, epoch = relay_leases.epoch + 1, expires_at = excluded.expires_at
                 WHERE relay_leases.expires_at < now()
               RETURNING epoch::text`,
              [options.name, options.holder, seconds],
            )
          : // Renewal needs only the epoch to be unchanged: nobody else took the lease meanwhile.
            await options.sql.query<{ epoch: string }>(
              `UPDATE relay_leases SET expires_at = now() + make_interval(secs => $4::float8)
               WHERE name = $1 AND holder = $2 AND epoch = $3::bigint
               RETURNING epoch::text`,
              [options.name, options.holder, held.toString(), seconds],
            );
      const row = rows[0];
      if (!row) {
        held = null;
        validUntil = 0;
        return null;
      }
      held = BigInt(row.epoch);
      validUntil = startedAt + ttlMs - marginMs;
      return held;
    },

    async release() {
      if (held === null) return;
      const epoch = held;
      held = null;
      validUntil = 0;
      await options.sql.query(
        `UPDATE relay_leases SET expires_at = '-infinity' WHERE name = $1 AND holder = $2 AND epoch = $3::bigint`,
        [options.name, options.holder, epoch.toString()],
      );
    },
  };
}
