import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sql } from '../sql/sql.port.js';
import { createTestDatabase } from '../testkit/postgres.testkit.js';
import type { TestDatabase } from '../testkit/postgres.testkit.js';
import { eventStoreContract, events } from './eventStore.contractSuite.js';
import { createSqlEventStore } from './sqlEventStore.js';
import { sqlEventStoreContract } from './sqlEventStore.contractSuite.js';
import { makeSchemaStore } from './sqlEventStore.testkit.js';

let database: TestDatabase;
beforeAll(async () => {
  // ≥ 8 connections, so the fault suite's writers really interleave.
  database = await createTestDatabase('event_store', { max: 12 });
});
afterAll(async () => {
  await database.drop();
});

eventStoreContract('PostgreSQL', (fault) => makeSchemaStore(database.sql, fault));
// The same promises with concurrent appends grouped into shared statements (docs/adr/0021).
eventStoreContract('PostgreSQL, group commit', (fault) => makeSchemaStore(database.sql, fault, { groupCommit: true }));
sqlEventStoreContract('PostgreSQL', () => database.sql, { concurrentTransactions: true });

// ADR 0030: the feed waits for transactions that may write to the store, not for the whole server.
it('does not hold the feed back for a transaction open in another database', async () => {
  const schema = `es_${randomBytes(5).toString('hex')}`;
  const other = await createTestDatabase('event_store_neighbour', { max: 1 });
  const store = await createSqlEventStore(database.sql, { schema, pollIntervalMs: 50 });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let hasId!: () => void;
  const idAssigned = new Promise<void>((resolve) => (hasId = resolve));
  // A neighbour's transaction with an id, older than the append: it holds the server-wide xmin.
  const neighbour = other.sql.tx(async (tx) => {
    await tx.query('SELECT pg_current_xact_id()');
    hasId();
    await held;
  });
  try {
    await idAssigned;
    const seen: string[] = [];
    const subscription = store.subscribeToAll({}, async (batch) => void seen.push(...batch.map((e) => e.streamId)));
    const stream = `s-${randomUUID()}`;
    await store.appendToStream(stream, events(1));
    await vi.waitFor(() => expect(seen).toEqual([stream]), { timeout: 5_000, interval: 10 });
    await subscription.stop();
  } finally {
    release();
    await neighbour;
    await store.close();
    await database.sql.exec(`DROP SCHEMA "${schema}" CASCADE`);
    await other.drop();
  }
});

// ADR 0034: a caught-up feed waits for the next NOTIFY; only events held back behind an open
// transaction (which may end without one) are looked for again every few milliseconds.
describe('the live feed between events', () => {
  const feedReads = { count: 0 };
  const counted = (sql: Sql): Sql =>
    new Proxy(sql, {
      get(target, property) {
        if (property === 'query')
          return (text: string, params?: readonly unknown[]) => {
            if (text.includes('held_back')) feedReads.count += 1;
            return target.query(text, params);
          };
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });

  /** The store LISTENs on its own connection, set up while the first read runs: wait for it. */
  const listening = async (schema: string) =>
    vi.waitFor(
      async () => {
        const rows = await database.sql.query(
          `SELECT 1 FROM pg_stat_activity WHERE state = 'idle' AND query ILIKE 'LISTEN %' AND query LIKE $1`,
          [`%${schema}_appended%`],
        );
        expect(rows).toHaveLength(1);
      },
      { timeout: 10_000, interval: 20 },
    );

  it('reads twice per event once caught up, not every few milliseconds until the next one', async () => {
    const schema = `es_${randomBytes(5).toString('hex')}`;
    const store = await createSqlEventStore(counted(database.sql), { schema, pollIntervalMs: 5_000 });
    try {
      const seen: string[] = [];
      const subscription = store.subscribeToAll({}, async (batch) => void seen.push(...batch.map((e) => e.streamId)));
      const streams = Array.from({ length: 5 }, () => `s-${randomUUID()}`);
      await listening(schema);
      await vi.waitFor(() => expect(feedReads.count).toBeGreaterThan(0), { timeout: 5_000, interval: 5 });
      const before = feedReads.count;
      for (const stream of streams) {
        await store.appendToStream(stream, events(1));
        await vi.waitFor(() => expect(seen).toContain(stream), { timeout: 5_000, interval: 5 });
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      await subscription.stop();
      // Per event: the read that delivers it and the one that finds the feed caught up (rechecking
      // after every event, as before, read ~15 times in the 60 ms between two of them).
      expect(feedReads.count - before).toBeLessThanOrEqual(streams.length * 3);
    } finally {
      await store.close();
      await database.sql.exec(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });

  it('delivers an event held back by a transaction of the store database that ends without a NOTIFY', async () => {
    const schema = `es_${randomBytes(5).toString('hex')}`;
    // Polling alone would take 10 s: the event must come from the rechecks.
    const store = await createSqlEventStore(database.sql, { schema, pollIntervalMs: 10_000 });
    let rollBack!: () => void;
    const ended = new Promise<void>((resolve) => (rollBack = resolve));
    let hasId!: () => void;
    const idAssigned = new Promise<void>((resolve) => (hasId = resolve));
    const older = database.sql
      .tx(async (tx) => {
        await tx.query('SELECT pg_current_xact_id()');
        hasId();
        await ended;
        throw new Error('rolled back on purpose');
      })
      .catch(() => undefined);
    try {
      await idAssigned;
      const seen: string[] = [];
      const subscription = store.subscribeToAll({}, async (batch) => void seen.push(...batch.map((e) => e.streamId)));
      await listening(schema);
      const stream = `s-${randomUUID()}`;
      await store.appendToStream(stream, events(1));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen).toEqual([]);
      rollBack();
      await older;
      await vi.waitFor(() => expect(seen).toEqual([stream]), { timeout: 3_000, interval: 10 });
      await subscription.stop();
    } finally {
      rollBack();
      await older;
      await store.close();
      await database.sql.exec(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });
});
