import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
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
