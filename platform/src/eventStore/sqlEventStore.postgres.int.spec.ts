import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase } from '../testkit/postgres.testkit.js';
import type { TestDatabase } from '../testkit/postgres.testkit.js';
import { eventStoreContract } from './eventStore.contractSuite.js';
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
