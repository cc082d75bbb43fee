import { randomBytes } from 'node:crypto';
import { boardStreamPrefix } from '@primetrade/domain';
import { toEnvelope, type EventStore, type Sql } from '@primetrade/platform';
import { readModelDdl } from '@primetrade/read-model';
import { applyInTransaction } from '../applyBatch.js';
import { projectEvents } from '../projections/index.js';

/**
 * The reference a rebuild is compared with: every board event of the store, in feed order, through
 * the live projections (`applyInTransaction`, 50 events a batch; read models only, as notifications
 * live outside the schema) into a fresh schema built from the migration files. Returns its name.
 */
export async function liveProjectionSchema(sql: Sql, store: EventStore): Promise<string> {
  const schema = `expected_${randomBytes(5).toString('hex')}`;
  const ddl = await readModelDdl();
  await sql.tx(async (tx) => {
    await tx.exec(`CREATE SCHEMA ${schema}; SET LOCAL search_path TO ${schema}`);
    for (const statement of [...ddl.setup, ...ddl.deferredIndexes]) await tx.exec(statement);
  });
  const events = (await store.readAll({ streamPrefix: boardStreamPrefix })).map(toEnvelope);
  for (let i = 0; i < events.length; i += 50) {
    await sql.tx(async (tx) => {
      await tx.exec(`SET LOCAL search_path TO ${schema}`);
      await applyInTransaction(tx, events.slice(i, i + 50), projectEvents);
    });
  }
  return schema;
}
