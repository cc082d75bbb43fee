import { afterAll, beforeAll } from 'vitest';
import type { Sql } from '../sql/sql.port.js';
import { createTestPglite } from '../testkit/pglite.testkit.js';
import { eventStoreContract } from './eventStore.contractSuite.js';
import { sqlEventStoreContract } from './sqlEventStore.contractSuite.js';
import { makeSchemaStore } from './sqlEventStore.testkit.js';

let sql: Sql;
beforeAll(async () => {
  sql = await createTestPglite();
});
afterAll(async () => {
  await sql.close();
});

eventStoreContract('PGlite', (fault) => makeSchemaStore(sql, fault));
// The same promises with concurrent appends grouped into shared statements (docs/adr/0021).
eventStoreContract('PGlite, group commit', (fault) => makeSchemaStore(sql, fault, { groupCommit: true }));
sqlEventStoreContract('PGlite', () => sql, { concurrentTransactions: false });
