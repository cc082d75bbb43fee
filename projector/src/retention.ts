import type { Config, SqlQueryable } from '@primetrade/platform';
import { silentLogger, type ProjectorLogger } from './logging.js';

/**
 * Retention (issue 11, docs/operations.md "Data care"): rows nobody needs any more are deleted in bounded
 * batches, so one pass never holds long locks or a long transaction.
 *
 * - Refresh tokens: a token expired more than `refreshTokenDays` ago goes; so does one revoked more
 *   than `refreshTokenDays` ago whose session has ended (no live token left in its family). A
 *   rotated token of a live session stays until it expires: presenting it again is how a stolen copy
 *   is detected and the session ended (command-api/src/auth/refreshTokens.ts).
 * - Notifications: every notification created more than `notificationDays` ago, read or not (the
 *   bell shows recent ones; a months-old "due soon" helps nobody); its mail outbox row cascades.
 *
 * Both tables live in the read database. The job runs in the projector process (beside the
 * notifications it writes, and in the embedded server): one place, no timer in the stateless
 * command-api; several projector pods running it at once only share the work (SKIP LOCKED).
 */
export interface RetentionPolicy {
  /** Days after expiry or the end of the session; 0 keeps refresh tokens forever. */
  readonly refreshTokenDays: number;
  /** Days after creation; 0 keeps notifications forever. */
  readonly notificationDays: number;
  /** Rows per DELETE statement. Default 1000. */
  readonly batchSize?: number;
}

export interface RetentionResult {
  readonly refreshTokens: number;
  readonly notifications: number;
}

const dayMs = 24 * 3600_000;
const daysBefore = (now: Date, days: number): Date => new Date(now.getTime() - days * dayMs);

/** One batch of each kind ($1 = batch size); the statements skip rows another pass is deleting right now. */
const deleteRefreshTokensBatch = `
  DELETE FROM refresh_tokens WHERE id IN (
    SELECT t.id FROM refresh_tokens t
    WHERE t.expires_at < $2
       OR (t.revoked_at < $2 AND NOT EXISTS (
             SELECT 1 FROM refresh_tokens live WHERE live.family_id = t.family_id AND live.revoked_at IS NULL AND live.expires_at > $3))
    LIMIT $1 FOR UPDATE SKIP LOCKED)
  RETURNING 1`;
const deleteNotificationsBatch = `
  DELETE FROM notifications WHERE id IN (SELECT id FROM notifications WHERE created_at < $2 LIMIT $1 FOR UPDATE SKIP LOCKED)
  RETURNING 1`;

/** Deletes batch after batch until one comes back short, or `stopping()` says to stop. */
async function deleteInBatches(
  sql: SqlQueryable,
  statement: string,
  params: readonly unknown[],
  batchSize: number,
  stopping: () => boolean,
): Promise<number> {
  let removed = 0;
  while (!stopping()) {
    const deleted = (await sql.query(statement, [batchSize, ...params])).length;
    removed += deleted;
    if (deleted < batchSize) break;
  }
  return removed;
}

/** One retention pass at `now`; `stopping` is asked between batches (shutdown). */
export async function applyRetention(
  sql: SqlQueryable,
  policy: RetentionPolicy,
  now: Date,
  stopping: () => boolean = () => false,
): Promise<RetentionResult> {
  const batchSize = policy.batchSize ?? 1000;
  const refreshTokens =
    policy.refreshTokenDays > 0
      ? await deleteInBatches(
          sql,
          deleteRefreshTokensBatch,
          [daysBefore(now, policy.refreshTokenDays), now],
          batchSize,
          stopping,
        )
      : 0;
  const notifications =
    policy.notificationDays > 0
      ? await deleteInBatches(
          sql,
          deleteNotificationsBatch,
          [daysBefore(now, policy.notificationDays)],
          batchSize,
          stopping,
        )
      : 0;
  return { refreshTokens, notifications };
}

export interface RetentionJobOptions {
  readonly sql: SqlQueryable;
  readonly policy: RetentionPolicy;
  readonly clock: () => Date;
  readonly intervalMs: number;
  readonly logger?: ProjectorLogger;
}

export interface RetentionJob {
  /** Runs a pass now and then every `intervalMs`. */
  start(): void;
  /** One pass now (the timer's work; tests). */
  runOnce(): Promise<RetentionResult>;
  /** Stops the timer, lets a running pass end after its current batch, and waits for it. */
  stop(): Promise<void>;
}

/** The periodic retention pass; a failed pass is logged and the next one tries again. */
export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const logger = options.logger ?? silentLogger;
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  let running: Promise<unknown> = Promise.resolve();

  const runOnce = async () => {
    const result = await applyRetention(options.sql, options.policy, options.clock(), () => stopping);
    if (result.refreshTokens + result.notifications > 0) logger.info({ ...result }, 'retention removed rows');
    else logger.debug({ ...result }, 'retention removed nothing');
    return result;
  };
  const tick = () => {
    // One pass at a time: a slow pass makes the next tick wait for it instead of piling up.
    running = running
      .then(runOnce)
      .catch((error: unknown) => logger.warn({ err: error }, 'retention pass failed; the next one retries'));
  };
  return {
    start() {
      if (timer) return;
      stopping = false;
      tick();
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
    },
    runOnce,
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

/** The job as the settings describe it (RETENTION_* in platform/src/config/config.ts), on the wall clock. */
export function retentionJobFromConfig(
  config: Pick<Config, 'RETENTION_REFRESH_TOKENS_DAYS' | 'RETENTION_NOTIFICATIONS_DAYS' | 'RETENTION_INTERVAL_MS'>,
  sql: SqlQueryable,
  logger: ProjectorLogger,
): RetentionJob {
  return createRetentionJob({
    sql,
    logger,
    clock: () => new Date(),
    intervalMs: config.RETENTION_INTERVAL_MS,
    policy: {
      refreshTokenDays: config.RETENTION_REFRESH_TOKENS_DAYS,
      notificationDays: config.RETENTION_NOTIFICATIONS_DAYS,
    },
  });
}
