import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { quoteIdent, type Sql, type SqlQueryable } from '@primetrade/platform';
import { migrationsDirectory } from './migrations.js';

/**
 * The read models' DDL, reused for a rebuild in a schema of its own (docs/architecture.md): the migration
 * files themselves run there with `search_path` pointing at it, so the fresh tables cannot drift
 * from the live ones.
 */

/**
 * Migrations that are not read models: accounts are the source of truth for users, never rebuilt
 * (nor are notifications and follow choices, user data too: ADR 0011);
 * the relay lease and the projector's Kafka offsets coordinate processes, they fold nothing.
 * The search index (011, 012) is the search projection's, written through its port with its own guard
 * and rebuilt by that projection (docs/adr/0024-search-engine.md), never by the read-model rebuild.
 * A migration must not mix the two: the rebuild runs every other file in its fresh schema.
 */
const notReadModelMigrations = new Set([
  '001.do.accounts.sql',
  '004.do.cluster-coordination.sql',
  '006.do.notifications.sql',
  '007.do.notification-per-command.sql',
  '011.do.search.sql',
  '012.do.search-accent-folding.sql',
]);

/**
 * Positions in feeds (the relay's place in the store, the bus offsets): they say how far the feeds
 * were read, not what the fold holds, so a rebuild keeps the live ones and never swaps them.
 */
export const feedPositionTables: readonly string[] = ['checkpoints', 'projection_offsets'];

/**
 * Secondary indexes the replay itself needs, built with their tables: TaskDeleted cascades to
 * comments by `task_id` (the statistics keep counters, docs/adr/0019-set-based-projector.md). Every other
 * non-unique index is built after the bulk replay, as for any bulk load — maintaining them row
 * by row costs a large share of the replay (bench B5) — and every projection statement finds its
 * row by primary key meanwhile.
 */
const replayIndexes = new Set(['comments_task']);

export class RebuildError extends Error {
  override readonly name = 'RebuildError';
  constructor(
    readonly code:
      | 'REBUILD.NOT_MIGRATED'
      | 'REBUILD.SCHEMA_MISMATCH'
      | 'REBUILD.LIVE_AHEAD'
      | 'REBUILD.SWITCH_FAILED'
      | 'REBUILD.MIGRATION_UNSPLITTABLE',
    message: string,
  ) {
    super(message);
  }
}

export interface ReadModelDdl {
  /** Tables the rebuild swaps, in creation order. */
  readonly tables: readonly string[];
  /** Statements run when the fresh schema is created. */
  readonly setup: readonly string[];
  /** `CREATE INDEX` statements run after the bulk replay. */
  readonly deferredIndexes: readonly string[];
}

let cached: Promise<ReadModelDdl> | null = null;

/** The read-model migrations, in version order, split into statements (read once per process). */
export function readModelDdl(): Promise<ReadModelDdl> {
  cached ??= loadDdl().catch((error: unknown) => {
    cached = null;
    throw error;
  });
  return cached;
}

async function loadDdl(): Promise<ReadModelDdl> {
  const files = (await readdir(migrationsDirectory))
    .filter((file) => /^\d+\.do\..+\.sql$/.test(file) && !notReadModelMigrations.has(file))
    .sort((a, b) => Number(a.split('.')[0]) - Number(b.split('.')[0]));
  const tables: string[] = [];
  const setup: string[] = [];
  const deferredIndexes: string[] = [];
  for (const file of files) {
    const script = await readFile(path.join(migrationsDirectory, file), 'utf8');
    for (const statement of splitStatements(script, file)) {
      const table = /^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)\b/i.exec(statement)?.[1];
      if (table && !feedPositionTables.includes(table)) tables.push(table);
      const index = /^CREATE\s+INDEX\s+([a-z_][a-z0-9_]*)\s+ON\b/i.exec(statement)?.[1];
      const dropped = /^DROP\s+INDEX\s+([a-z_][a-z0-9_]*)$/i.exec(statement)?.[1];
      if (dropped && cancelDeferred(deferredIndexes, dropped)) continue;
      if (index && !replayIndexes.has(index)) deferredIndexes.push(statement);
      else setup.push(statement);
    }
  }
  return { tables, setup, deferredIndexes };
}

/**
 * A later migration's `DROP INDEX` of an index the rebuild would build only after the replay: the
 * fresh schema never builds it (it does not exist yet when the setup runs). False if not deferred.
 */
function cancelDeferred(deferredIndexes: string[], name: string): boolean {
  const at = deferredIndexes.findIndex((statement) =>
    new RegExp(`^CREATE\\s+INDEX\\s+${name}\\s`, 'i').test(statement),
  );
  if (at === -1) return false;
  deferredIndexes.splice(at, 1);
  return true;
}

/**
 * Splits a migration script at top-level semicolons, skipping comments and respecting quoted
 * strings and identifiers. Dollar quoting (function bodies) is refused rather than guessed at.
 */
export function splitStatements(script: string, file = 'script'): string[] {
  const statements: string[] = [];
  let current = '';
  for (let i = 0; i < script.length; i += 1) {
    const char = script[i]!;
    if (char === '-' && script[i + 1] === '-') {
      const end = script.indexOf('\n', i);
      i = end === -1 ? script.length : end;
      current += '\n';
    } else if (char === '/' && script[i + 1] === '*') {
      const end = script.indexOf('*/', i + 2);
      if (end === -1) throw new RebuildError('REBUILD.MIGRATION_UNSPLITTABLE', `${file}: unterminated comment`);
      i = end + 1;
      current += ' ';
    } else if (char === "'" || char === '"') {
      const end = closingQuote(script, i);
      if (end === -1) throw new RebuildError('REBUILD.MIGRATION_UNSPLITTABLE', `${file}: unterminated ${char} quote`);
      current += script.slice(i, end + 1);
      i = end;
    } else if (char === '$') {
      throw new RebuildError(
        'REBUILD.MIGRATION_UNSPLITTABLE',
        `${file}: dollar quoting is not supported by the rebuild's splitter`,
      );
    } else if (char === ';') {
      statements.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  statements.push(current.trim());
  return statements.filter((statement) => statement.length > 0);
}

/** Index of the quote closing the one at `start` (a doubled quote is an escaped one), or -1. */
function closingQuote(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i += 1) {
    if (text[i] !== quote) continue;
    if (text[i + 1] === quote) i += 1;
    else return i;
  }
  return -1;
}

export { quoteIdent };

/** The schema the live read models are in: where `search_path` finds `projection_checkpoints`. */
export async function liveReadModelSchema(sql: SqlQueryable): Promise<string> {
  const [row] = await sql.query<{ schema: string | null }>(
    `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = to_regclass('projection_checkpoints')`,
  );
  if (!row?.schema)
    throw new RebuildError('REBUILD.NOT_MIGRATED', 'No read models to rebuild: run the migrations first');
  return row.schema;
}

/** Creates `schema` with the read-model tables and the indexes the replay needs; one transaction. */
export async function createReadModelSchema(sql: Sql, schema: string): Promise<void> {
  const ddl = await readModelDdl();
  await sql.tx(async (tx) => {
    await tx.exec(`CREATE SCHEMA ${quoteIdent(schema)}`);
    await tx.exec(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    for (const statement of ddl.setup) await tx.exec(statement);
  });
}

/** The indexes left out by `createReadModelSchema`, now that the bulk of the rows is in. */
export async function createDeferredIndexes(sql: Sql, schema: string): Promise<void> {
  const ddl = await readModelDdl();
  await sql.tx(async (tx) => {
    await tx.exec(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    // One statement each: several in one script would hold every build's memory at once on PGlite.
    for (const statement of ddl.deferredIndexes) await tx.exec(statement);
  });
}

/**
 * Refuses a swap that would change the live tables' shape: the live schema must hold every
 * read-model table with exactly the columns the migrations give the fresh ones.
 */
export async function assertSameColumns(sql: SqlQueryable, live: string, fresh: string): Promise<void> {
  const { tables } = await readModelDdl();
  const columns = (schema: string) =>
    sql.query<Record<string, unknown>>(
      `SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default,
              generation_expression, collation_name
       FROM information_schema.columns WHERE table_schema = $1 AND table_name = ANY ($2::text[])
       ORDER BY table_name, ordinal_position`,
      [schema, tables],
    );
  const [liveColumns, freshColumns] = [await columns(live), await columns(fresh)];
  const missing = tables.filter((table) => !liveColumns.some((column) => column.table_name === table));
  if (missing.length > 0) {
    throw new RebuildError(
      'REBUILD.NOT_MIGRATED',
      `Live read models in "${live}" lack ${missing.join(', ')}: run the migrations first`,
    );
  }
  const differing = freshColumns.find((column, index) => JSON.stringify(column) !== JSON.stringify(liveColumns[index]));
  if (differing || liveColumns.length !== freshColumns.length) {
    const where = differing ? `${String(differing.table_name)}.${String(differing.column_name)}` : 'the column count';
    throw new RebuildError(
      'REBUILD.SCHEMA_MISMATCH',
      `Live read models in "${live}" differ from the migrations at ${where}`,
    );
  }
}

/**
 * Moves the live tables out, the fresh ones in, and drops the old ones — inside the caller's
 * transaction. Indexes, constraints and row types move with their tables; the old tables are
 * dropped without CASCADE, so an object outside that still depends on them stops the swap.
 */
export async function swapReadModelTables(tx: SqlQueryable, live: string, fresh: string): Promise<void> {
  const { tables } = await readModelDdl();
  const retired = `${fresh}_retired`;
  const [liveId, freshId, retiredId] = [live, fresh, retired].map(quoteIdent);
  await tx.exec(
    [
      `CREATE SCHEMA ${retiredId}`,
      ...tables.map((table) => `ALTER TABLE ${liveId}.${quoteIdent(table)} SET SCHEMA ${retiredId}`),
      ...tables.map((table) => `ALTER TABLE ${freshId}.${quoteIdent(table)} SET SCHEMA ${liveId}`),
      `DROP TABLE ${tables.map((table) => `${retiredId}.${quoteIdent(table)}`).join(', ')}`,
      `DROP SCHEMA ${retiredId}`,
      // What is left is the fresh schema's own copy of the feed-position tables.
      `DROP SCHEMA ${freshId} CASCADE`,
    ].join(';\n'),
  );
}
