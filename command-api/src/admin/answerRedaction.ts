/**
 * Redaction of one person's name and e-mail inside remembered idempotent answers (erasure, GDPR
 * art. 17). Only fields that hold that person's data change: a value that merely equals the name
 * (a person called "open" and a task whose status is "open", a board or column of the same name)
 * is somebody else's data and stays.
 */
export interface ErasedPerson {
  readonly id: string;
  readonly email: string;
}

export const erasedMarker = '[erased]';

/** Keys that hold a person's name or e-mail when the object is about that person (`id`/`userId`). */
const personalKeys = new Set(['name', 'email', 'displayName']);
/** `actorName` goes with `actorId`, `ownerEmail` with `ownerId`, …: the prefix names whose it is. */
const prefixedPersonalKey = /^(.+)(Name|Email|DisplayName)$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whose personal data `key` holds in `object`: an id, or null when the key is not a personal one. */
function ownerIdOf(object: Record<string, unknown>, key: string): unknown {
  if (personalKeys.has(key)) return object.userId ?? object.id;
  const prefixed = prefixedPersonalKey.exec(key);
  return prefixed ? object[`${prefixed[1] ?? ''}Id`] : null;
}

/** An e-mail field holding the person's address is theirs wherever it appears (addresses are unique). */
const isTheirEmail = (key: string, value: string, person: ErasedPerson): boolean =>
  /email$/i.test(key) && value.toLowerCase() === person.email.toLowerCase();

function redactField(object: Record<string, unknown>, key: string, value: unknown, person: ErasedPerson): unknown {
  if (typeof value !== 'string') return redactPersonInAnswer(value, person);
  if (value === erasedMarker) return value;
  if (ownerIdOf(object, key) === person.id || isTheirEmail(key, value, person)) return erasedMarker;
  return value;
}

/** A copy of `body` with the person's own name/e-mail fields replaced by "[erased]"; the rest untouched. */
export function redactPersonInAnswer(body: unknown, person: ErasedPerson): unknown {
  if (Array.isArray(body)) return body.map((item) => redactPersonInAnswer(item, person));
  if (!isObject(body)) return body;
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, redactField(body, key, value, person)]));
}
