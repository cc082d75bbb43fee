import { createPgliteSql, type Sql } from '@primetrade/platform';
import { runMigrations } from '../migrations.js';

/** A migrated in-memory PGlite for one test file (creating one takes seconds: share it). */
export async function createMigratedPglite(): Promise<Sql> {
  const sql = await createPgliteSql();
  await runMigrations(sql);
  return sql;
}

/**
 * A fresh PostgreSQL database `<prefix>_<random>` on the local server, migrated, dropped by `drop()`.
 * Stands in until platform's `createTestDatabase` lands.
 */
export async function createMigratedPostgres(prefix: string): Promise<{ sql: Sql; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const { createPostgresSql } = await import('@primetrade/platform');
  const server = 'postgres://postgres@127.0.0.1:5432';
  const name = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const sql = createPostgresSql({ connectionString: `${server}/${name}`, max: 4 });
  await runMigrations(sql);
  return {
    sql,
    async drop() {
      await sql.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
