import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, createTestPglite, type Sql } from '@primetrade/platform';
import { migrationsDirectory, runMigrations } from './migrations.js';

const versions = readdirSync(migrationsDirectory)
  .filter((file) => /^\d+\.do\..+\.sql$/.test(file))
  .map((file) => Number(file.split('.')[0]))
  .sort((a, b) => a - b);

describe('runMigrations', () => {
  it('finds the migrations beside src and dist', () => {
    expect(versions.slice(0, 3)).toEqual([1, 2, 3]);
  });

  describe('on PGlite', () => {
    let sql: Sql;
    // Creating PGlite can take long on a loaded machine: a hook has the longer timeout.
    beforeAll(async () => {
      sql = await createTestPglite();
    });
    afterAll(() => sql.close());

    it('applies every migration once, records it in schema_version, and does nothing the second time', async () => {
      const logged: object[] = [];
      const logger = { debug: () => undefined, info: (obj: object) => logged.push(obj), warn: () => undefined, error: () => undefined };
      await runMigrations(sql, logger);
      await runMigrations(sql, logger);
      const rows = await sql.query<{ version: string }>('SELECT version FROM schema_version WHERE version > 0 ORDER BY version');
      expect(rows.map((row) => Number(row.version))).toEqual(versions);
      expect(logged).toHaveLength(versions.length);
      expect(await sql.query("SELECT to_regclass('public.tasks') AS t")).toEqual([{ t: 'tasks' }]);
    });
  });

  describe('on PostgreSQL', () => {
    it('lets concurrent runners (two nodes starting at once) apply each migration exactly once', async () => {
      const database = await createTestDatabase('projector_migrations', { max: 4 });
      try {
        await Promise.all([runMigrations(database.sql), runMigrations(database.sql), runMigrations(database.sql)]);
        const rows = await database.sql.query<{ version: string }>('SELECT version FROM schema_version WHERE version > 0 ORDER BY version');
        expect(rows.map((row) => Number(row.version))).toEqual(versions);
      } finally {
        await database.drop();
      }
    });
  });
});
