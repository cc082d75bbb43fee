import { priorities, roles } from './board.events.js';
import type { Priority, Role } from './board.events.js';
import { DomainError } from './errors.js';

/** Input limits, checked again here because the domain is also fed by the socket and the web client. */
export const limits = {
  boardName: 100,
  columnName: 100,
  title: 200,
  description: 10_000,
  label: 40,
  labels: 20,
  assignees: 20,
  comment: 5_000,
  wipLimit: 1_000,
} as const;

export const invalid = (field: string, message: string): DomainError =>
  new DomainError('VALIDATION.FAILED', `${field}: ${message}`, [{ field, message }]);

/** NUL cannot be stored in PostgreSQL text or jsonb: such an event would stall the read models. */
const hasNul = (value: string): boolean => value.includes('\u0000');

/** A trimmed, non-empty text of at most `max` characters. */
export function requireText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (hasNul(value)) throw invalid(field, 'must not contain the NUL character');
  const trimmed = value.trim();
  if (trimmed.length === 0) throw invalid(field, 'must not be empty');
  if (trimmed.length > max) throw invalid(field, `must be at most ${max} characters`);
  return trimmed;
}

/** Free text that may be empty (descriptions), kept as written. */
export function requireOptionalText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (hasNul(value)) throw invalid(field, 'must not contain the NUL character');
  if (value.length > max) throw invalid(field, `must be at most ${max} characters`);
  return value;
}

export function requireLabels(field: string, value: readonly unknown[]): string[] {
  if (!Array.isArray(value)) throw invalid(field, 'must be a list');
  const labels = [...new Set(value.map((label, index) => requireText(`${field}[${index}]`, label, limits.label)))];
  if (labels.length > limits.labels) throw invalid(field, `at most ${limits.labels} labels`);
  return labels;
}

export function requireIdList(field: string, value: readonly unknown[], max: number): string[] {
  if (!Array.isArray(value)) throw invalid(field, 'must be a list');
  const ids = [...new Set(value.map((id, index) => requireText(`${field}[${index}]`, id, 200)))];
  if (ids.length > max) throw invalid(field, `at most ${max} entries`);
  return ids;
}

export function requirePriority(field: string, value: unknown): Priority {
  if (!(priorities as readonly unknown[]).includes(value))
    throw invalid(field, `must be one of ${priorities.join(', ')}`);
  return value as Priority;
}

export function requireRoleValue(field: string, value: unknown): Role {
  if (!(roles as readonly unknown[]).includes(value)) throw invalid(field, `must be one of ${roles.join(', ')}`);
  return value as Role;
}

export function requireWipLimit(field: string, value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > limits.wipLimit) {
    throw invalid(field, `must be null or an integer from 1 to ${limits.wipLimit}`);
  }
  return value;
}

const isoInstant = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/** ISO 8601 instant with an explicit offset; checked by hand because the domain has no `Date`. */
export function isIsoInstant(value: string): boolean {
  const match = isoInstant.exec(value);
  if (match === null) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offset = match[8] ?? 'Z';
  // Real offsets span -12:00..+14:00; PostgreSQL refuses larger ones and years outside 1..9999,
  // and a value the read models cannot store must never reach the store.
  const offsetMinutes = offset === 'Z' ? 0 : Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6));
  const offsetOk = offsetMinutes <= 14 * 60 && Number(offset.slice(4, 6)) <= 59;
  return (
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetOk
  );
}

export function requireDueDate(field: string, value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !isIsoInstant(value)) throw invalid(field, 'must be an ISO 8601 instant or null');
  return value;
}
