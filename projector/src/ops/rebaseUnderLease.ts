import { hostname } from 'node:os';
import { rebaseTransactionIds, type RebaseResult, type Sql } from '@primetrade/platform';
import { createLeaderLease } from '../relayLease.js';

/** A relay lease someone holds now. */
export interface LiveLease {
  readonly name: string;
  readonly holder: string;
  readonly expiresAt: Date;
}

export type LeasedRebase =
  { readonly refused: readonly LiveLease[] } | { readonly refused: null; readonly result: RebaseResult };

export interface RebaseUnderLeaseOptions {
  /** Where the relay leases live (the read-model database). */
  readonly readSql: Sql;
  /** The PostgreSQL holding the event store's tables. */
  readonly storeSql: Sql;
  /** The relay lease of the configured topic: `relay:<KAFKA_TOPIC>`. */
  readonly leaseName: string;
  /** How long the CLI's hold lasts without renewal (renewed every third); a crashed CLI blocks a relay at most this long. Default 60 s. */
  readonly ttlMs?: number;
  /** The rebase itself (tests watch the lease from inside it). */
  readonly rebase?: (storeSql: Sql) => Promise<RebaseResult>;
}

/** The relay leases held now (not expired), by the database's clock, the one relays go by. */
export async function liveRelayLeases(sql: Sql): Promise<LiveLease[]> {
  return sql.query<LiveLease>(
    `SELECT name, holder, expires_at AS "expiresAt" FROM relay_leases WHERE name LIKE 'relay:%' AND expires_at > now() ORDER BY name`,
  );
}

/**
 * `rebase-txids` while no relay can run (ADR 0013): a relay reading the feed while the offset
 * changes could skip events. The CLI takes the relay's lease like a relay would, so a relay that
 * starts meanwhile waits as a standby, and releases it at the end; a live holder (the lease not
 * expired) means a relay is running, and the rebase is refused. Any other topic's live relay
 * lease refuses it too: every relay reads the same store. There is no `--force`: a relay that died
 * leaves a lease that expires within RELAY_LEASE_TTL_MS, and a live one must be stopped.
 */
export async function rebaseUnderRelayLease(options: RebaseUnderLeaseOptions): Promise<LeasedRebase> {
  const ttlMs = options.ttlMs ?? 60_000;
  const lease = createLeaderLease({
    sql: options.readSql,
    name: options.leaseName,
    holder: `ops-rebase-txids@${hostname()}:${process.pid}`,
    ttlMs,
  });
  if ((await lease.campaign()) === null) return { refused: await liveRelayLeases(options.readSql) };
  const renewal = setInterval(() => void lease.campaign().catch(() => undefined), Math.floor(ttlMs / 3));
  renewal.unref();
  try {
    const others = (await liveRelayLeases(options.readSql)).filter((live) => live.name !== options.leaseName);
    if (others.length > 0) return { refused: others };
    return { refused: null, result: await (options.rebase ?? rebaseTransactionIds)(options.storeSql) };
  } finally {
    clearInterval(renewal);
    await lease.release();
  }
}
