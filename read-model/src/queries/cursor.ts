import { DomainError } from '@primetrade/domain';

/** A keyset position: the sort key of the last row seen (null for a NULL key) and its id. */
export interface KeysetCursor {
  readonly key: string | null;
  readonly id: string;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => uuidPattern.test(value);

/** Opaque to clients: base64url of `[key, id]`. */
export const encodeCursor = (cursor: KeysetCursor): string =>
  Buffer.from(JSON.stringify([cursor.key, cursor.id]), 'utf8').toString('base64url');

const invalidCursor = () =>
  new DomainError('VALIDATION.FAILED', 'The cursor is not valid', [
    { field: 'query.cursor', message: 'Pass back a nextCursor from a previous page, unchanged' },
  ]);

/** `isValidKey` checks the key's form, so a tampered cursor is a 400, never a SQL error. */
export function decodeCursor(cursor: string, isValidKey: (key: string | null) => boolean): KeysetCursor {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalidCursor();
  const [key, id] = parsed as unknown[];
  if (typeof id !== 'string' || !isUuid(id)) throw invalidCursor();
  if (key !== null && typeof key !== 'string') throw invalidCursor();
  if (!isValidKey(key)) throw invalidCursor();
  return { key, id };
}

// Years 0001..9999 in microseconds since the epoch: a tampered cursor outside them is a 400, not a 500.
const minMicros = -62_135_596_800_000_000n;
const maxMicros = 253_402_300_799_999_999n;

/** Microseconds since the epoch as a decimal string: exact for every timestamptz. */
export const isMicros = (key: string | null): boolean =>
  key !== null && /^-?\d{1,18}$/.test(key) && BigInt(key) >= minMicros && BigInt(key) <= maxMicros;
export const microsOf = (column: string): string => `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;
export const instantFromMicros = (param: string): string =>
  `(timestamptz 'epoch' + ${param}::bigint * interval '1 microsecond')`;
