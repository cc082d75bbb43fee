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
  /**
   * `COPY table (columns) FROM STDIN` of `rows`, already in COPY's text format (`copyRow`): the
   * cheapest way to write many rows, with no SQL to lex and no document to take apart. `table` is
   * one identifier, resolved through `search_path`.
   */
  copyFrom(table: string, columns: readonly string[], rows: string): Promise<void>;
}

const keptPlans = new Map<string, string>();

/**
 * Marks `text` as a statement whose plan each connection keeps (PostgreSQL: a named prepared
 * statement, parsed and analysed once per connection and planned once for all calls when a generic
 * plan costs no more than a call's own). For the few fixed statements every projector batch runs, whose
 * preparation was most of a small batch's server time (docs/adr/0040). Returns `text` unchanged, so it
 * goes through every wrapper of a `SqlQueryable` as it is. Only for constant texts: each one takes a
 * statement on every connection for the connection's life. PGlite ignores it.
 */
export function keepPlan(text: string): string {
  if (!keptPlans.has(text)) keptPlans.set(text, `pt_kept_${keptPlans.size + 1}`);
  return text;
}

/** The prepared statement's name for a text marked by `keepPlan`. */
export const keptPlanName = (text: string): string | undefined => keptPlans.get(text);

/** An identifier in double quotes (embedded quotes doubled). */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The COPY statement `copyFrom` runs, reading from `source` (`STDIN`, or PGlite's `'/dev/blob'`). */
export const copyStatement = (table: string, columns: readonly string[], source: string): string =>
  `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM ${source}`;

// COPY's text format: a backslash, a newline, a carriage return and a tab are written as escapes.
const copyEscapes: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const copySpecial = /[\\\n\r\t]/;
const copySpecials = /[\\\n\r\t]/g;

/** One row in COPY's text format, with its newline: fields separated by tabs, `\N` for NULL. */
export function copyRow(fields: readonly (string | number | null)[]): string {
  let line = '';
  for (let index = 0; index < fields.length; index += 1) {
    const field = fields[index] as string | number | null;
    if (index > 0) line += '\t';
    if (field === null) line += '\\N';
    else if (typeof field === 'number') line += String(field);
    else line += copySpecial.test(field) ? field.replace(copySpecials, (char) => copyEscapes[char]!) : field;
  }
  return `${line}\n`;
}

export interface Sql extends SqlQueryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; inside it use only `tx` (PGlite deadlocks otherwise). */
  tx<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; resolves to an unlisten function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
