import { randomBytes } from 'node:crypto';
import type { Sql } from '../sql/sql.port.js';
import { faultySql, type Statement } from '../testkit/faultySql.testkit.js';
import type { AppendFault, ContractStore } from './eventStore.contractSuite.js';
import { createSqlEventStore, type SqlEventStoreOptions } from './sqlEventStore.js';

// The store's own append statements (`sqlEventStore.append.ts`), not the DDL that defines them.
const isSingleRoundTripAppend = (text: string) => /^\s*SELECT\b[^;]*\.append_events(_many)?\(/.test(text);
const isGroupCommit = (text: string) => /\.append_events_many\(/.test(text);
const isTransactionalInsert = (text: string) => /^\s*WITH\b[\s\S]*\bINSERT INTO \S+\.events \(/.test(text);

/**
 * The streams an append transaction wrote to: both single paths send the stream as their first
 * parameter, a group commit (docs/adr/0021) a batch of items naming theirs. None when it wrote nothing.
 */
function appendedStreams(statements: readonly Statement[]): string[] {
  const write = statements.find(
    (statement) => isSingleRoundTripAppend(statement.text) || isTransactionalInsert(statement.text),
  );
  if (!write) return [];
  if (!isGroupCommit(write.text)) return [String(write.params[0])];
  return (JSON.parse(String(write.params[0])) as { stream: string }[]).map((item) => item.stream);
}

/**
 * `sql` for an SQL event store with `fault` run inside every append that wrote, after its writes and
 * before its commit (docs/testing.md, fault 1). The single-round-trip append runs in a transaction of
 * its own for it; with `alternatePaths`, every second append is declined that path (answered with no
 * rows, so the store takes its transactional path, docs/adr/0005-single-round-trip-append.md), so both
 * paths run, interleaved, under the fault.
 */
export function faultyAppendSql(sql: Sql, fault: AppendFault, options: { alternatePaths?: boolean } = {}): Sql {
  let appends = 0;
  return faultySql(sql, {
    inOwnTransaction: isSingleRoundTripAppend,
    decline: () => options.alternatePaths === true && (appends += 1) % 2 === 0,
    beforeCommit: async (statements) => {
      // Once per append, as without group commit: a batch runs the fault for each of its items.
      for (const streamId of appendedStreams(statements)) await fault(streamId);
    },
  });
}

/** A SQL event store in a fresh schema of `sql`, dropped on cleanup: one database serves many tests. */
export async function makeSchemaStore(
  sql: Sql,
  fault?: AppendFault,
  storeOptions: Pick<SqlEventStoreOptions, 'groupCommit'> = {},
): Promise<ContractStore> {
  const schema = `es_${randomBytes(5).toString('hex')}`;
  const storeSql = fault ? faultyAppendSql(sql, fault, { alternatePaths: true }) : sql;
  const store = await createSqlEventStore(storeSql, { schema, pollIntervalMs: 100, ...storeOptions });
  return {
    store,
    async cleanup() {
      await store.close();
      await sql.exec(`DROP SCHEMA "${schema}" CASCADE`);
    },
  };
}
