/**
 * One redaction for everything that leaves the process besides the log (error reports, span
 * exceptions, status messages and attributes): secret- and person-named keys are dropped to
 * `[redacted]`, and text is scrubbed of bearer tokens, JWTs, e-mail addresses and credentials in
 * connection strings. The log has its own key list (`redactedPaths` in logger.ts) because pino
 * redacts by path.
 */

/** Keys whose values never leave the process, whatever they hold. */
const secretKey =
  /pass(word)?|secret|token|authori[sz]ation|cookie|api[-_]?key|dsn|credential|email|e-mail|phone|session|^name$|displayName/i;

const textRules: readonly [RegExp, string][] = [
  [/\bBearer\s+[\w.~+/=-]+/gi, 'Bearer [redacted]'],
  [/\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, '[redacted-jwt]'],
  [/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[redacted-email]'],
  // Credentials in connection strings: postgres://user:secret@host → postgres://[redacted]@host.
  [/\/\/[^/\s:@]+:[^/\s@]+@/g, '//[redacted]@'],
];

export function redactText(text: string): string {
  const bounded = text.length > 8_000 ? `${text.slice(0, 8_000)}…` : text;
  return textRules.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), bounded);
}

/** A copy safe to send: secret-named keys dropped to `[redacted]`, text scrubbed, depth and size bounded. */
export function redact(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object')
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (seen.has(value) || depth >= 6) return '[…]';
  seen.add(value);
  if (value instanceof Error) return { type: value.name, message: redactText(value.message) };
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redact(item, depth + 1, seen));
  const entries = Object.entries(value).slice(0, 100);
  return Object.fromEntries(
    entries.map(([key, item]) => [key, secretKey.test(key) ? '[redacted]' : redact(item, depth + 1, seen)]),
  );
}

type AttributeValue = string | number | boolean | readonly (string | number | boolean | null | undefined)[] | undefined;

/** Span and event attributes, redacted like error-report context: secret-named keys dropped, text scrubbed. */
export function redactAttributes<A extends Readonly<Record<string, AttributeValue>>>(attributes: A): A {
  const redactValue = (value: AttributeValue): AttributeValue => {
    if (typeof value === 'string') return redactText(value);
    if (Array.isArray(value))
      return value.map((item: unknown) => (typeof item === 'string' ? redactText(item) : item)) as AttributeValue;
    return value;
  };
  return Object.fromEntries(
    Object.entries(attributes).map(([key, value]) => [key, secretKey.test(key) ? '[redacted]' : redactValue(value)]),
  ) as A;
}
