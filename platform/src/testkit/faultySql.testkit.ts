import type { Sql, SqlQueryable } from '../sql/sql.port.js';

/** One statement a transaction ran, as the code under test sent it. */
export interface Statement {
  readonly text: string;
  readonly params: readonly unknown[];
}

export interface FaultySqlOptions {
  /**
   * Runs inside every transaction after its last statement, before the commit, with the statements
   * it ran; waiting here holds the transaction (and its locks) open, throwing rolls it back.
   */
  readonly beforeCommit: (statements: readonly Statement[]) => void | Promise<void>;
  /**
   * A statement sent outside `tx` (a write in one round trip) that this decorator runs in a
   * transaction of its own, so that `beforeCommit` acts before its commit too.
   */
  readonly inOwnTransaction?: (text: string) => boolean;
  /**
   * Answer such a statement with no rows, without sending it: lets a test take the code's other path
   * where an empty answer means "decide the long way".
   */
  readonly decline?: (statement: Statement) => boolean;
}

function recording(db: SqlQueryable, statements: Statement[]): SqlQueryable {
  return {
    query<R extends object>(text: string, params: readonly unknown[] = []) {
      statements.push({ text, params });
      return db.query<R>(text, params);
    },
    exec(text: string) {
      statements.push({ text, params: [] });
      return db.exec(text);
    },
    copyFrom(table, columns, rows) {
      statements.push({ text: `COPY ${table}`, params: [columns, rows] });
      return db.copyFrom(table, columns, rows);
    },
  };
}

/**
 * Test-only fault injection around the `Sql` port (docs/testing.md, faults 1 and 7): the code under
 * test runs unchanged on a real PostgreSQL or PGlite, and the fault acts where a crash or a slow
 * writer would, between a transaction's last statement and its commit.
 */
export function faultySql(inner: Sql, options: FaultySqlOptions): Sql {
  const tx = <T>(fn: (db: SqlQueryable) => Promise<T>): Promise<T> =>
    inner.tx(async (db) => {
      const statements: Statement[] = [];
      const result = await fn(recording(db, statements));
      await options.beforeCommit(statements);
      return result;
    });
  return {
    kind: inner.kind,
    async query<R extends object>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      if (!options.inOwnTransaction?.(text)) return inner.query<R>(text, params);
      if (options.decline?.({ text, params })) return [];
      return tx((db) => db.query<R>(text, params));
    },
    exec: (text) => inner.exec(text),
    copyFrom: (table, columns, rows) => inner.copyFrom(table, columns, rows),
    tx,
    listen: (channel, onNotify) => inner.listen(channel, onNotify),
    close: () => inner.close(),
  };
}
