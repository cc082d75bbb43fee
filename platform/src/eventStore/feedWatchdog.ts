import type { Logger } from 'pino';
import type { SqlQueryable } from '../sql/sql.port.js';
import type { Position } from './eventStore.port.js';
import { decodePosition, startPosition } from './position.js';

export interface FeedWatchdogOptions {
  readonly db: SqlQueryable;
  /** Quoted schema identifier. */
  readonly schema: string;
  readonly logger?: Logger;
  /** Warn when committed events have been held back this long. Default 10 s. */
  readonly stallMs?: number;
  readonly now?: () => number;
}

/**
 * docs/architecture.md: alarm when the feed's horizon stops moving. A transaction left open in the
 * store's database holds the horizon back (ADR 0030), and with it every committed event above it.
 * Called after each empty read; it checks at most once per `stallMs / 2` and warns once per stall.
 */
export function createFeedWatchdog(options: FeedWatchdogOptions): (after: Position | null) => Promise<void> {
  const stallMs = options.stallMs ?? 10_000;
  const now = options.now ?? Date.now;
  const query = `WITH h AS (SELECT ${options.schema}.feed_horizon() AS horizon)
                 SELECT h.horizon::text AS xmin, count(e.*)::text AS held
                 FROM h LEFT JOIN ${options.schema}.events e
                   ON (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
                   AND e.transaction_id >= h.horizon
                 GROUP BY h.horizon`;
  let lastCheck = 0;
  let heldSince: { xmin: string; at: number; warned: boolean } | null = null;

  return async (after) => {
    if (now() - lastCheck < stallMs / 2) return;
    lastCheck = now();
    const from = after ? decodePosition(after) : startPosition;
    const [row] = await options.db.query<{ xmin: string; held: string }>(query, [
      from.major.toString(),
      from.minor.toString(),
    ]);
    if (!row || row.held === '0') {
      heldSince = null;
      return;
    }
    if (heldSince?.xmin !== row.xmin) heldSince = { xmin: row.xmin, at: now(), warned: false };
    if (!heldSince.warned && now() - heldSince.at >= stallMs) {
      heldSince.warned = true;
      options.logger?.warn(
        { xmin: row.xmin, heldEvents: Number(row.held), stalledMs: now() - heldSince.at },
        'event feed stalled: a long-running transaction of the store database holds the feed back (see pg_stat_activity)',
      );
    }
  };
}
