import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { Sql } from '../sql/sql.port.js';
import { WrongExpectedVersionError } from './eventStore.port.js';
import type { EventStore } from './eventStore.port.js';
import { assertAppendable } from './idempotency.js';
import { comparePositions } from './position.js';
import { ensureSchema, schemaIdentifier } from './sqlEventStore.schema.js';
import { createSqlAppend } from './sqlEventStore.append.js';
import type { SqlAppend } from './sqlEventStore.append.js';
import { createGroupCommit, type GroupCommitOptions } from './sqlEventStore.groupCommit.js';
import { createSqlReads } from './sqlEventStore.read.js';
import { createSqlSubscriptions } from './sqlEventStore.subscribe.js';
import { assertRebased } from './txidRebase.js';

export interface SqlEventStoreOptions {
  /** Where the `streams` and `events` tables live. Default `event_store`. */
  readonly schema?: string;
  /** NOTIFY channel sent by every append. Default `<schema>_appended`. */
  readonly notifyChannel?: string;
  /** Subscriptions poll this often when no NOTIFY arrives (lost connection, long transactions). Default 250. */
  readonly pollIntervalMs?: number;
  /**
   * After a wake-up whose read found nothing (an older transaction anywhere on the server still
   * holds xmin back), look again after this, then twice as long each time, up to the poll interval.
   * Default 1 (docs/adr/0016).
   */
  readonly recheckAfterEmptyWakeMs?: number;
  /**
   * The doubling stops at this pause for the first `recheckSteadyReads` rechecks after a wake, then
   * resumes up to the poll interval: a transaction that holds xmin for a few milliseconds (the
   * projector's batch) delays the event by at most this much more. Default 4; Infinity doubles
   * from the start, as before docs/adr/0025.
   */
  readonly maxRecheckAfterWakeMs?: number;
  /** Rechecks at `maxRecheckAfterWakeMs` before the pauses double again. Default 16 (~55 ms of rechecks). */
  readonly recheckSteadyReads?: number;
  /** Events per subscription batch. Default 500. */
  readonly batchSize?: number;
  readonly logger?: Logger;
  readonly metrics?: Pick<Metrics, 'appendDuration'>;
  /**
   * Concurrent appends share statements and transactions (docs/adr/0021-group-commit-of-appends.md):
   * `true` or its settings. Off by default: one append, one statement.
   */
  readonly groupCommit?: boolean | GroupCommitOptions;
}

/** Each append's duration, labelled ok, conflict or error. */
function timedAppend(append: SqlAppend, metrics: SqlEventStoreOptions['metrics']): SqlAppend {
  return async (streamId, events, expected) => {
    const started = performance.now();
    let result = 'error';
    try {
      const appended = await append(streamId, events, expected);
      result = 'ok';
      return appended;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) result = 'conflict';
      throw error;
    } finally {
      metrics?.appendDuration.observe({ result }, (performance.now() - started) / 1000);
    }
  };
}

/**
 * The PostgreSQL and PGlite event store (docs/architecture.md), one implementation over the `Sql` port:
 * appends in `sqlEventStore.append.ts`, reads in `sqlEventStore.read.ts`, the live feed in
 * `sqlEventStore.subscribe.ts`. `close()` stops its subscriptions; the `Sql` stays open (the caller owns it).
 */
export async function createSqlEventStore(sql: Sql, options: SqlEventStoreOptions = {}): Promise<EventStore> {
  const schema = options.schema ?? 'event_store';
  const s = schemaIdentifier(schema);
  const channel = options.notifyChannel ?? `${schema}_appended`;
  await ensureSchema(sql, schema);
  await assertRebased(sql, schema);

  const target = { sql, schema, s, channel };
  const appends = createSqlAppend(target);
  const grouped = options.groupCommit
    ? createGroupCommit(target, appends, options.groupCommit === true ? {} : options.groupCommit)
    : appends.append;
  const append = timedAppend(grouped, options.metrics);
  const reads = createSqlReads(sql, s);
  const subscriptions = createSqlSubscriptions({
    sql,
    s,
    channel,
    readFeed: reads.readFeed,
    pollIntervalMs: options.pollIntervalMs ?? 250,
    recheckAfterEmptyWakeMs: options.recheckAfterEmptyWakeMs ?? 1,
    maxRecheckAfterWakeMs: options.maxRecheckAfterWakeMs ?? 4,
    recheckSteadyReads: options.recheckSteadyReads ?? 16,
    batchSize: options.batchSize ?? 500,
    logger: options.logger,
  });
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new Error('The event store is closed');
  };

  return {
    async appendToStream(streamId, events, appendOptions = {}) {
      assertOpen();
      assertAppendable(streamId, events);
      return append(streamId, events, appendOptions.expectedRevision ?? 'any');
    },
    readStream: reads.readStream,
    readAll: reads.readAll,
    streamRevision: reads.streamRevision,
    bulk: reads.bulk,
    subscribeToAll(subscribeOptions, handler) {
      assertOpen();
      return subscriptions.subscribeToAll(subscribeOptions, handler);
    },
    comparePositions,
    async close() {
      if (closed) return;
      closed = true;
      await subscriptions.close();
    },
  };
}
