import { randomBytes } from 'node:crypto';
import type { Sql } from '../sql/sql.port.js';
import type { ContractStore } from './eventStore.contract.js';
import { createSqlEventStore } from './sqlEventStore.js';
import type { AppendTestHooks } from './testHooks.js';

/** A SQL event store in a fresh schema of `sql`, dropped on cleanup: one database serves many tests. */
export async function makeSchemaStore(sql: Sql, hooks?: AppendTestHooks): Promise<ContractStore> {
  const schema = `es_${randomBytes(5).toString('hex')}`;
  const store = await createSqlEventStore(sql, { schema, pollIntervalMs: 100, ...(hooks ? { testHooks: hooks } : {}) });
  return {
    store,
    async cleanup() {
      await store.close();
      await sql.exec(`DROP SCHEMA "${schema}" CASCADE`);
    },
  };
}
