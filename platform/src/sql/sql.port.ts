/**
 * One SQL interface over `pg` (PostgreSQL) and PGlite (embedded), docs/architecture.md.
 * Write PostgreSQL 15 SQL only; int8 comes back as a string and timestamptz as a Date in both.
 */
export type SqlParam = string | number | boolean | null | Date | readonly unknown[] | Record<string, unknown>;

export interface SqlQueryable {
  /** One parameterized statement; returns its rows. */
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements without parameters (migrations, DDL). */
  exec(text: string): Promise<void>;
}

export interface Sql extends SqlQueryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; inside it use only `tx` (PGlite deadlocks otherwise). */
  tx<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; resolves to an unlisten function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
