import { fileURLToPath } from 'node:url';
import Postgrator from 'postgrator';
import type { Sql } from '@primetrade/platform';

/** `read-model/migrations`, beside both `src` (vitest) and `dist` (run time). */
export const migrationsDirectory = fileURLToPath(new URL('../migrations/', import.meta.url));

/** Serialises concurrent runners (two command-api nodes starting at once); any constant works. */
const migrationLockKey = 7_342_001;

/** The slice of a logger the migrations use (platform's `createLogger()` satisfies it). */
export interface MigrationLogger {
  info(obj: object, msg?: string): void;
}

/**
 * Brings the schema to the newest `NNN.do.*.sql` in `read-model/migrations` (or to `options.to`, a
 * version such as '006': tests of a migration's data step start from the schema before it).
 * Runs in ONE transaction under an advisory lock, so a failed migration leaves nothing behind
 * and a second process waits, then finds nothing to do. Works on PostgreSQL and PGlite alike.
 */
export async function runMigrations(
  sql: Sql,
  logger?: MigrationLogger,
  options: { readonly to?: string } = {},
): Promise<void> {
  await sql.tx(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
    const postgrator = new Postgrator({
      driver: 'pg',
      schemaTable: 'schema_version',
      migrationPattern: `${migrationsDirectory.replaceAll('\\', '/')}*.sql`,
      // Single statements from postgrator itself; extended protocol is fine for them.
      execQuery: async (query) => ({ rows: await tx.query(query) }),
      // Migration files hold several statements: the simple protocol runs them.
      execSqlScript: (script) => tx.exec(script),
    });
    postgrator.on('migration-finished', (migration) => {
      logger?.info({ version: migration.version, name: migration.name }, 'migration applied');
    });
    await postgrator.migrate(options.to);
  });
}
