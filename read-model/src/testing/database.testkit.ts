import { createTestDatabase, createTestPglite, type Sql } from '@primetrade/platform';
import { runMigrations } from '../migrations.js';

export interface MigratedDatabase {
  readonly sql: Sql;
  drop(): Promise<void>;
}

/** A migrated in-memory PGlite (hundreds of MB: share one per test file, close it after). */
export async function createMigratedPglite(): Promise<Sql> {
  const sql = await createTestPglite();
  await runMigrations(sql);
  return sql;
}

/** A migrated PostgreSQL database of the test's own (`pt_<prefix>_<random>`), dropped by `drop()`. */
export async function createMigratedPostgres(prefix: string): Promise<MigratedDatabase> {
  const database = await createTestDatabase(prefix, { max: 4 });
  try {
    await runMigrations(database.sql);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

/** The read-model backends a suite runs on (`describe.each`): PGlite and real PostgreSQL. */
export const readModelBackends = (prefix: string): { name: string; open: () => Promise<MigratedDatabase> }[] => [
  {
    name: 'PGlite',
    open: async () => {
      const sql = await createMigratedPglite();
      return { sql, drop: () => sql.close() };
    },
  },
  { name: 'PostgreSQL', open: () => createMigratedPostgres(prefix) },
];
