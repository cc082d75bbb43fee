import pg from 'pg';
import type { Sql, SqlQueryable } from './sql.port.js';

export interface PostgresSqlOptions {
  readonly connectionString: string;
  readonly max?: number;
  readonly applicationName?: string;
  /** Aborts a transaction left idle this long (DESIGN §3); 0 disables. */
  readonly idleInTransactionTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

const queryable = (client: pg.Pool | pg.PoolClient): SqlQueryable => ({
  async query<R extends object>(text: string, params: readonly unknown[] = []) {
    const result = await client.query(text, params as unknown[]);
    return result.rows as R[];
  },
  async exec(text: string) {
    await client.query(text);
  },
});

export function createPostgresSql(options: PostgresSqlOptions): Sql {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'primetrade',
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const listeners = new Set<pg.Client>();

  return {
    kind: 'postgres',
    ...queryable(pool),
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(queryable(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel, onNotify) {
      // A dedicated connection: pooled clients would lose the LISTEN on release.
      const client = new pg.Client({ connectionString: options.connectionString });
      client.on('error', () => undefined);
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      await client.query(`LISTEN ${quoteIdent(channel)}`);
      listeners.add(client);
      return async () => {
        listeners.delete(client);
        await client.end().catch(() => undefined);
      };
    },
    async close() {
      await Promise.all([...listeners].map((client) => client.end().catch(() => undefined)));
      listeners.clear();
      await pool.end();
    },
  };
}
