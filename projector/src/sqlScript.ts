import { quoteSqlLiteral, type SqlQueryable } from '@primetrade/platform';

/**
 * A `SqlQueryable` that runs nothing: it writes each statement, with its parameters inlined as
 * literals, into one script that the caller then sends with a single `exec` (simple protocol).
 * The rebuild uses it so the live projection handlers — the same SQL text — cost one round trip
 * per batch instead of one per event (measured: ~5k events/s per statement, several times more
 * as a script; bench B5). Only for writers that never read what a statement returns: `query`
 * resolves to no rows.
 */
export interface SqlScript {
  readonly queryable: SqlQueryable;
  /** Statements recorded so far. */
  readonly length: number;
  /** The recorded statements joined into one script, and a fresh start. */
  take(): string;
}

export function createSqlScript(): SqlScript {
  let statements: string[] = [];
  return {
    queryable: {
      async query<R extends object>(text: string, params: readonly unknown[] = []): Promise<R[]> {
        statements.push(inlineParameters(text, params));
        return [];
      },
      async exec(text: string) {
        statements.push(text);
      },
    },
    get length() {
      return statements.length;
    },
    take() {
      const script = statements.join(';\n');
      statements = [];
      return script;
    },
  };
}

/**
 * Replaces `$n` with the literal of `params[n - 1]`. The statements come from this package's
 * projections, never from input, and hold no `$` of their own; the values are input, and become
 * string constants quoted by node-postgres' own escaping, which is how PostgreSQL reads an untyped parameter too (its type comes from the
 * context), so the rows are the same as with bind parameters. Single pass: an inlined value is
 * never scanned again.
 */
export function inlineParameters(text: string, params: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, digits: string) => {
    const index = Number(digits) - 1;
    if (index < 0 || index >= params.length)
      throw new RangeError(`Statement uses $${digits} but has ${params.length} parameters`);
    return literal(params[index]);
  });
}

export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return quoteSqlLiteral(textOf(value));
}

/** The text form `pg` would send for a parameter (its `prepareValue`), with instants in UTC. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return arrayText(value);
  if (typeof value === 'object') return JSON.stringify(value);
  throw new TypeError(`Cannot inline a parameter of type ${typeof value}`);
}

/** A PostgreSQL array literal: `{"a","b",NULL}`, elements quoted, `"` and `\` escaped. */
function arrayText(values: readonly unknown[]): string {
  const elements = values.map((element) => {
    if (element === null || element === undefined) return 'NULL';
    if (Array.isArray(element)) return arrayText(element);
    return `"${textOf(element).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  });
  return `{${elements.join(',')}}`;
}
