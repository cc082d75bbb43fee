import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { copyStatement, keptPlanName, quoteIdent, type Sql, type SqlQueryable } from './sql.port.js';

export interface PostgresSqlOptions {
  readonly connectionString: string;
  readonly max?: number;
  readonly applicationName?: string;
  /** Aborts a transaction left idle this long (docs/architecture.md); 0 disables. */
  readonly idleInTransactionTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  /** Waiting for a connection (unreachable host, exhausted pool) fails after this long. Default 5000. */
  readonly connectionTimeoutMs?: number;
}

/** COPY FROM STDIN on one connection: the rows go as one chunk; a rejected row fails the whole COPY. */
async function copyOn(client: pg.PoolClient, table: string, columns: readonly string[], rows: string): Promise<void> {
  await pipeline(
    Readable.from([Buffer.from(rows)]),
    client.query(copyFromStdin(copyStatement(table, columns, 'STDIN'))),
  );
}

const queryable = (client: pg.Pool | pg.PoolClient): SqlQueryable => ({
  async query<R extends object>(text: string, params: readonly unknown[] = []) {
    const name = keptPlanName(text);
    const values = params as unknown[];
    const result = await (name === undefined ? client.query(text, values) : client.query({ name, text, values }));
    return result.rows as R[];
  },
  async exec(text: string) {
    await client.query(text);
  },
  async copyFrom(table, columns, rows) {
    if (!(client instanceof pg.Pool)) return copyOn(client, table, columns, rows);
    const connection = await client.connect();
    let broken: Error | undefined;
    try {
      await copyOn(connection, table, columns, rows);
    } catch (error) {
      // A COPY that failed on the wire may leave the connection mid-protocol: never pool it.
      if (!isServerError(error)) broken = error instanceof Error ? error : new Error('COPY failed');
      throw error;
    } finally {
      connection.release(broken);
    }
  },
});

/** An error the server answered (it has a SQLSTATE), after which the connection is ready again. */
const isServerError = (error: unknown): boolean => typeof (error as { code?: unknown } | null)?.code === 'string';

export function createPostgresSql(options: PostgresSqlOptions): Sql {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'primetrade',
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const listeners = new Set<Listener>();

  return {
    kind: 'postgres',
    ...queryable(pool),
    async tx(fn) {
      const client = await pool.connect();
      // A connection whose ROLLBACK failed is in an unknown state: destroy it, never pool it.
      let broken: Error | undefined;
      // While a client is checked out the pool does not listen for its errors: a session the server
      // ends between two statements (idle-in-transaction timeout, a restart) would be an uncaught
      // 'error' event and end the process. Noted instead; the next statement fails, and the client is
      // destroyed on release (a relay frozen inside its checkpoint transaction crashed this way on waking).
      const onError = (error: Error) => {
        broken ??= error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(queryable(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error('ROLLBACK failed');
        });
        throw error;
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    },
    async listen(channel, onNotify) {
      const listener = await startListener(
        options.connectionString,
        `${options.applicationName ?? 'primetrade'}:listen`,
        channel,
        onNotify,
      );
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
    async close() {
      await Promise.all([...listeners].map((listener) => listener.stop()));
      listeners.clear();
      await pool.end();
    },
  };
}

interface Listener {
  stop(): Promise<void>;
}

const reconnectDelayMs = 1_000;

/**
 * LISTEN on a dedicated connection (a pooled client would lose it on release). When the connection
 * drops, it reconnects after a pause; notifications sent meanwhile are lost, which is why every
 * consumer of NOTIFY also polls, and a reconnect itself counts as a notification.
 */
async function startListener(
  connectionString: string,
  applicationName: string,
  channel: string,
  onNotify: (payload: string) => void,
): Promise<Listener> {
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString, application_name: applicationName });
    next.on('error', () => undefined);
    next.on('end', () => {
      if (stopped || client !== next) return;
      client = null;
      retry = setTimeout(() => void reconnect(), reconnectDelayMs);
    });
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    await next.connect();
    await next.query(`LISTEN ${quoteIdent(channel)}`);
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
  }

  async function reconnect(): Promise<void> {
    retry = null;
    if (stopped) return;
    try {
      await connect();
      onNotify('');
    } catch {
      if (!stopped) retry = setTimeout(() => void reconnect(), reconnectDelayMs);
    }
  }

  await connect();
  return {
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}

/**
 * A SQL string constant of `value`, by node-postgres' own escaping rules (quotes doubled; an `E'…'`
 * constant with doubled backslashes when it holds one), for the few places that must inline values
 * into a script (the projector's batched statements, docs/adr/0019-set-based-projector.md). The same
 * text as `pg.escapeLiteral` (the unit test compares them), but by whole-string replaces: that one
 * appends character by character, a large share of the projector's CPU on batches of large JSON
 * documents.
 */
export function quoteSqlLiteral(value: string): string {
  const quoted = `'${value.replaceAll("'", "''")}'`;
  return value.includes('\\') ? `E${quoted.replaceAll('\\', '\\\\')}` : quoted;
}
