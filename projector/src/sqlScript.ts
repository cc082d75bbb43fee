import { quoteSqlLiteral } from '@primetrade/platform';

/**
 * Statements as script text: each parameter inlined as a literal, so many statements can go to the
 * server as one script with a single `exec` (simple protocol) — the batch projections' writes
 * (`projections/batchTx.ts`, docs/adr/0019-set-based-projector.md; ADR 0010 for the escaping).
 */

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
  return quoted(textOf(value));
}

/** The tag of dollar-quoted constants. */
const dollarTag = '$pt$';

/**
 * A string constant of `text`. A long one (a batch's JSON document) is dollar-quoted when that is
 * unambiguous: nothing inside is escaped, so it costs one scan instead of escaping and copying
 * megabytes; the first `$pt$` after the opening one must be the closing one.
 */
function quoted(text: string): string {
  if (text.length >= 1024) {
    const body = text + dollarTag;
    if (body.indexOf(dollarTag) === text.length) return dollarTag + body;
  }
  return quoteSqlLiteral(text);
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
