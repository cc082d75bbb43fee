/**
 * Fractional position keys: strings of base-62 digits read as a fraction 0.d1d2d3…,
 * compared in plain byte order (digits 0-9A-Za-z are ascending in ASCII). A key never
 * ends in the minimum digit, so there is always room below it. Moving a card writes one
 * key; only when that key would grow past a bound is the column renumbered, with
 * `evenlySpacedKeys`, as an event of its own (board.rebalance.ts, docs/architecture.md).
 */
export const positionDigits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const base = positionDigits.length;
const minDigit = '0';
const maxDigit = 'z';

const digitOf = (char: string | undefined): number => (char === undefined ? 0 : positionDigits.indexOf(char));
const digitAt = (value: number): string => positionDigits.charAt(value);

export const isPositionKey = (key: string): boolean =>
  key.length > 0 && !key.endsWith(minDigit) && [...key].every((char) => positionDigits.includes(char));

/** A key strictly between `a` and `b`, both valid keys, `a < b`; `b` null means "no upper bound". */
function midpoint(a: string, b: string | null): string {
  if (b !== null) {
    let shared = 0;
    while ((a[shared] ?? minDigit) === b[shared]) shared++;
    if (shared > 0) return b.slice(0, shared) + midpoint(a.slice(shared), b.slice(shared));
  }
  const low = digitOf(a[0]);
  const high = b === null ? base : digitOf(b[0]);
  if (high - low > 1) return digitAt(Math.round((low + high) / 2));
  if (b !== null && b.length > 1) return b.slice(0, 1);
  return digitAt(low) + midpoint(a.slice(1), null);
}

/**
 * Appending: bump the first digit that can grow, so repeated appends add one character
 * per ~61 cards instead of one per ~6 with plain halving.
 */
function after(a: string): string {
  for (let index = 0; index < a.length; index++) {
    const digit = digitOf(a[index]);
    if (digit < base - 1) return a.slice(0, index) + digitAt(digit + 1);
  }
  return a + digitAt(1);
}

/** Prepending: lower the first digit that can shrink while staying above the minimum digit. */
function before(b: string): string {
  for (let index = 0; index < b.length; index++) {
    const digit = digitOf(b[index]);
    if (digit >= 2) return b.slice(0, index) + digitAt(digit - 1);
  }
  return midpoint('', b);
}

/** A key strictly between `a` and `b` in byte order; null means the open end. */
export function keyBetween(a: string | null, b: string | null): string {
  for (const key of [a, b]) {
    if (key !== null && !isPositionKey(key)) throw new RangeError(`Invalid position key: ${key}`);
  }
  if (a !== null && b !== null && !(a < b)) throw new RangeError(`Position keys out of order: ${a} >= ${b}`);
  if (a === null && b === null) return digitAt(base / 2);
  if (b === null) return after(a ?? '');
  if (a === null) return before(b);
  return midpoint(a, b);
}

/** `n` ascending keys after `last` (null: from the start), e.g. for a new board's columns. */
export function keysAfter(last: string | null, n: number): string[] {
  const keys: string[] = [];
  let previous = last;
  for (let index = 0; index < n; index++) {
    previous = keyBetween(previous, null);
    keys.push(previous);
  }
  return keys;
}

export const positionKeyBounds = { minDigit, maxDigit } as const;

/** `value` as exactly `digits` base-62 digits, then without trailing minimum digits (a key never ends in one). */
function keyOf(value: number, digits: number): string {
  let text = '';
  for (let rest = value, index = 0; index < digits; index++, rest = Math.floor(rest / base)) {
    text = digitAt(rest % base) + text;
  }
  return text.replace(/0+$/, '');
}

/** `key`'s first `digits` digits (padded with the minimum digit) as a number, and whether more follow. */
function truncated(key: string, digits: number): { readonly value: number; readonly more: boolean } {
  let value = 0;
  for (let index = 0; index < digits; index++) value = value * base + digitOf(key[index]);
  return { value, more: key.length > digits };
}

/** Keys of 8 digits are still exact as numbers (62^8 < 2^53). */
const maxSpacedDigits = 8;

/**
 * `n` ascending keys strictly between `lower` and `upper` (null: the open end), evenly spaced, as
 * short as leaves a free key between neighbours, at most `maxLength` characters; null when they do
 * not fit. A key of `d` digits with value k is above `lower` exactly when k exceeds `lower`'s first
 * `d` digits, and below `upper` when k is below `upper`'s first `d` digits (or equal, if `upper`
 * has more); fixed-width numbers compare like their strings, and dropping trailing zeros keeps that.
 */
export function evenlySpacedBetween(
  lower: string | null,
  upper: string | null,
  n: number,
  maxLength: number,
): string[] | null {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Cannot space ${n} keys`);
  for (let digits = 1; digits <= Math.min(maxLength, maxSpacedDigits); digits++) {
    const low = lower === null ? 0 : truncated(lower, digits).value;
    const top = upper === null ? null : truncated(upper, digits);
    const high = top === null ? base ** digits : top.value + (top.more ? 1 : 0);
    const step = Math.floor((high - low) / (n + 1));
    if (step >= 2) return Array.from({ length: n }, (_, index) => keyOf(low + (index + 1) * step, digits));
  }
  return null;
}

/** `n` ascending keys spread evenly over the whole range: one character up to 30 keys, two up to 1,921, three up to 119,163. */
export function evenlySpacedKeys(n: number): string[] {
  const keys = evenlySpacedBetween(null, null, n, maxSpacedDigits);
  if (keys === null) throw new RangeError(`Cannot space ${n} keys`);
  return keys;
}
