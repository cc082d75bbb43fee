/**
 * Request generators for the OpenAPI fuzz suite (openapiFuzz.int.spec.ts): a valid request for any
 * operation of the served OpenAPI document, built from its JSON schemas, and mutations of it that
 * break one thing each (a field's type or size, the encoding, the token, a path or query parameter).
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';

/** The part of JSON Schema the API's document uses. */
export interface Schema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly items?: Schema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
}

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly schema: Schema;
}

export interface Operation {
  /** e.g. `POST /api/v1/boards/{boardId}/tasks`: the coverage key. */
  readonly key: string;
  readonly method: string;
  /** The document's path template, e.g. `/api/v1/boards/{boardId}`. */
  readonly template: string;
  readonly auth: boolean;
  readonly parameters: readonly Parameter[];
  readonly body: Schema | null;
}

interface OpenApiDocument {
  readonly paths: Readonly<
    Record<
      string,
      Readonly<
        Record<
          string,
          {
            readonly security?: unknown;
            readonly parameters?: readonly Parameter[];
            readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema: Schema }>> };
          }
        >
      >
    >
  >;
}

/** Every operation of the document. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      operations.push({
        key: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        auth: operation.security !== undefined,
        parameters: operation.parameters ?? [],
        body: operation.requestBody?.content['application/json']?.schema ?? null,
      });
    }
  }
  return operations;
}

/** Known ids a uuid-typed value may take (so valid requests reach the handlers), by field name. */
export type IdPool = (name: string) => readonly string[];

const typesOf = (schema: Schema): string[] =>
  schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : [...schema.type];

function stringFor(schema: Schema, name: string, ids: IdPool): fc.Arbitrary<string> {
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.format === 'uuid') {
    const known = ids(name);
    return known.length > 0
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: fc.uuid({ version: 4 }) })
      : fc.uuid({ version: 4 });
  }
  if (schema.format === 'date-time')
    return fc
      .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
      .map((date) => date.toISOString());
  if (schema.format === 'email') return fc.emailAddress().filter((email) => email.length <= (schema.maxLength ?? 254));
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 60, minLength + 60);
  return fc
    .string({ minLength, maxLength, unit: 'grapheme' })
    .map((text) =>
      (text.trim().length >= minLength ? text : `${text}${'x'.repeat(minLength)}`).slice(0, schema.maxLength ?? 10_000),
    )
    .filter((text) => text.trim().length >= minLength && !text.includes('\u0000'));
}

/** A value the schema accepts (ids mostly from `ids`, so requests find real boards and tasks). */
export function validValue(schema: Schema, name: string, ids: IdPool): fc.Arbitrary<unknown> {
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((choice) => validValue(choice, name, ids)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const types = typesOf(schema);
  const options = types
    .filter((type) => type !== 'null')
    .map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'integer':
          return fc.integer({
            min: schema.minimum ?? -1_000,
            max: Math.min(schema.maximum ?? 1_000, (schema.minimum ?? 0) + 1_000),
          });
        case 'number':
          return fc.double({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000, noNaN: true });
        case 'boolean':
          return fc.boolean();
        case 'array':
          return fc.array(validValue(schema.items ?? {}, name, ids), {
            minLength: schema.minItems ?? 0,
            maxLength: Math.min(schema.maxItems ?? 3, 3),
          });
        case 'object':
          return validObject(schema, ids);
        default:
          return stringFor(schema, name, ids);
      }
    });
  if (types.includes('null')) options.push(fc.constant(null));
  return options.length === 0 ? fc.string({ maxLength: 10 }) : fc.oneof(...options);
}

function validObject(schema: Schema, ids: IdPool): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, property] of Object.entries(properties)) record[key] = validValue(property, key, ids);
  return fc.record(record, { requiredKeys: [...(schema.required ?? [])] });
}

/** Strings that have broken parsers, databases and renderers before. */
export const nastyStrings: readonly string[] = [
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00y',
  '\u202Eevil\u202C',
  '\u200B',
  '\uFEFF',
  '👩🏽‍💻🎉',
  '𝕳𝖊𝖑𝖑𝖔',
  'Z̴̡̢̛a̸l̷g̵o̶',
  '%00',
  '%ED%A0%80',
  '../../etc/passwd',
  '..\\..\\windows',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '${jndi:ldap://x}',
  '{{7*7}}',
  ' ',
  '',
  '\t\n\r',
  '\u0085',
  'null',
  'true',
  '-0',
  '1e309',
  'NaN',
  '٣',
  '\uFFFF',
  '\u{10FFFF}',
  // Full-text query syntax, LIKE wildcards and regex metacharacters.
  'a & b | !c',
  '!',
  '(',
  ':*',
  '\\',
  "'",
  '%_%',
  '.*',
  '[',
  'a <-> b',
  'x:A',
  '&&&|||',
  // Instants at and beyond the edges of what JavaScript and PostgreSQL can hold.
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-01-01T00:00:00+99:99',
  '2026-01-01',
  '1970-01-01T00:00:00.0000001Z',
  '9007199254740993',
  '1e21',
  '-9223372036854775809',
];

/** Values of the wrong type or size for a field. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(...nastyStrings),
  fc.constant(Number.MAX_SAFE_INTEGER * 4),
  fc.constant(-1),
  fc.constant(0),
  fc.constant('x'.repeat(20_000)),
  fc.constant(Array.from({ length: 5_000 }, (_, index) => index)),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constant({ __proto__: { admin: true } }),
  fc.constant({ constructor: { prototype: { admin: true } } }),
);

/** Path parameter values that are not a valid id of anything. */
export const badPathValues: readonly string[] = [
  '42',
  'not-a-uuid',
  'x'.repeat(5_000),
  '..',
  '..%2F..%2Fadmin%2Fusers',
  '%2E%2E%2F%2E%2E',
  '%00',
  '%ED%A0%80',
  '%zz',
  '%',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
  '%F0%9F%98%80',
  '%E2%80%AE',
  '%C0%AF',
  'me',
  'null',
  '12345678-1234-1234-1234-1234567890123',
  '%2012345678-1234-4234-9234-123456789012',
  '{boardId}',
  '%20',
];

/** JSON nested `depth` levels deep, as text (building it as a value would hit the same recursion limits). */
export const deeplyNested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** A body in one of the encodings a client might claim, or a corrupt one. */
export function encodeBody(text: string, encoding: 'gzip' | 'deflate' | 'br'): Buffer {
  const raw = Buffer.from(text);
  return encoding === 'gzip' ? gzipSync(raw) : encoding === 'deflate' ? deflateSync(raw) : brotliCompressSync(raw);
}

/** Percent-encodes every byte of the UTF-8 form but the unreserved ones (a lone surrogate goes as U+FFFD, as any client would send it). */
const percentEncode = (value: string): string =>
  [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** A query string; `raw` values (with their own %-escapes, even broken ones) go as they are. */
export const queryString = (entries: readonly (readonly [string, string, boolean?])[]): string =>
  entries.length === 0
    ? ''
    : `?${entries.map(([key, value, raw]) => `${percentEncode(key)}=${raw ? value : percentEncode(value)}`).join('&')}`;
