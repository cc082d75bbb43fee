import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresSql } from '../sql/postgresSql.js';
import type { Sql } from '../sql/sql.port.js';

export interface TestDatabaseOptions {
  /** Admin connection (a database that exists). Default postgres://postgres@127.0.0.1:5432/test. */
  readonly adminUrl?: string;
  /** Pool size of `sql`. Default 10 (fault tests need real interleaving). */
  readonly max?: number;
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly sql: Sql;
  /** Closes `sql` and drops the database, even with other connections still open. */
  drop(): Promise<void>;
}

export const defaultAdminUrl = 'postgres://postgres@127.0.0.1:5432/test';

async function asAdmin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A uniquely named database `pt_<prefix>_<random>` of the test's own; never touches any other. */
export async function createTestDatabase(prefix: string, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = options.adminUrl ?? defaultAdminUrl;
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  const name = `pt_${clean}_${randomBytes(6).toString('hex')}`;
  // `name` matches [a-z0-9_]+ by construction, so quoting it is enough.
  await asAdmin(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = createPostgresSql({
    connectionString: url.toString(),
    max: options.max ?? 10,
    applicationName: `test:${clean}`,
  });
  let dropped = false;
  return {
    name,
    url: url.toString(),
    sql,
    async drop() {
      if (dropped) return;
      dropped = true;
      await sql.close().catch(() => undefined);
      await asAdmin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
