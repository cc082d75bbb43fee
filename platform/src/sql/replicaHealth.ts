import type { Metrics } from '../observability/metrics.js';
import type { SqlQueryable } from './sql.port.js';

/** Why a replica is out of service, or `in` when reads may use it. */
export type ReplicaState = 'in' | 'down' | 'lagging' | 'not-standby';

export interface ReplicaHealth {
  readonly state: () => ReplicaState;
  /** Replay lag behind the primary in milliseconds, as last measured (null before the first probe). */
  readonly lagMs: () => number | null;
  /** A query failed for want of the server: out at once, until a probe finds it healthy again. */
  readonly failed: () => void;
  /** One probe now (the monitor also runs one every interval). */
  readonly probe: () => Promise<void>;
  readonly stop: () => void;
}

export interface ReplicaHealthOptions {
  readonly name: string;
  readonly primary: SqlQueryable;
  readonly replica: SqlQueryable;
  /** A replica further behind than this is taken out (config READ_REPLICA_MAX_LAG_MS). */
  readonly maxLagMs: number;
  readonly intervalMs: number;
  readonly metrics?: Pick<Metrics, 'breakerState'>;
  readonly now?: () => number;
}

/** `X/Y` (two hex words) → one number of bytes; exact below 2^53, i.e. the first 8 PiB of WAL. */
export function parseLsn(text: string): number {
  const [high = '', low = ''] = text.split('/');
  return Number.parseInt(high, 16) * 2 ** 32 + Number.parseInt(low, 16);
}

const gaugeOf: Readonly<Record<ReplicaState, number>> = { in: 0, down: 2, lagging: 2, 'not-standby': 2 };

/**
 * The replica's breaker (docs/adr/0029-read-replicas.md). Lag in time, from WAL positions: every
 * interval the primary's current LSN is sampled with its time, and the replica's replay LSN
 * retires every sample it has passed; the lag is the age of the oldest sample not yet replayed.
 * Unlike `now() - pg_last_xact_replay_timestamp()` it stays 0 while the primary is idle.
 */
export function watchReplica(options: ReplicaHealthOptions): ReplicaHealth {
  const now = options.now ?? Date.now;
  const samples: { lsn: number; at: number }[] = [];
  let state: ReplicaState = 'down';
  let lagMs: number | null = null;
  let probing: Promise<void> | null = null;
  let stopped = false;

  const set = (next: ReplicaState) => {
    state = next;
    options.metrics?.breakerState.set({ name: `read-replica:${options.name}` }, gaugeOf[next]);
  };
  set('down');

  async function probeOnce(): Promise<void> {
    // A primary that does not answer adds no sample: the replica still serves what it has.
    const [primary] = await options.primary
      .query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')
      .catch(() => []);
    if (primary) samples.push({ lsn: parseLsn(primary.lsn), at: now() });
    if (samples.length > 1_000) samples.shift();
    const [replica] = await options.replica.query<{ standby: boolean; lsn: string | null }>(
      'SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS lsn',
    );
    if (!replica?.standby || replica.lsn === null) return set('not-standby');
    const replayed = parseLsn(replica.lsn);
    while (samples.length > 0 && (samples[0]?.lsn ?? Infinity) <= replayed) samples.shift();
    lagMs = samples.length === 0 ? 0 : now() - (samples[0]?.at ?? now());
    set(lagMs > options.maxLagMs ? 'lagging' : 'in');
  }

  const probe = () => {
    probing ??= new Promise<void>((resolve) => {
      // A server that hangs (stopped, not gone) is down too.
      const timeout = setTimeout(() => {
        set('down');
        resolve();
      }, options.intervalMs * 4);
      timeout.unref();
      probeOnce()
        .catch(() => set('down'))
        .finally(() => {
          clearTimeout(timeout);
          resolve();
        });
    }).finally(() => (probing = null));
    return probing;
  };
  const timer = setInterval(() => {
    if (!stopped) void probe();
  }, options.intervalMs);
  timer.unref();

  return {
    state: () => state,
    lagMs: () => lagMs,
    failed: () => set('down'),
    probe,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
