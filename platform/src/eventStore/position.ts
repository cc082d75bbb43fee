import type { Position } from './eventStore.port.js';

/**
 * A position is `<major>.<minor>`, both zero-padded to 20 digits, so positions also sort as strings.
 * PostgreSQL/PGlite: major = transaction id (xid8), minor = global_position (docs/architecture.md).
 * In memory: major = 0, minor = the append sequence.
 */
const width = 20;
const pattern = /^(\d{1,20})\.(\d{1,20})$/;

export interface PositionParts {
  readonly major: bigint;
  readonly minor: bigint;
}

export const startPosition: PositionParts = { major: 0n, minor: 0n };

export const encodePosition = (major: bigint, minor: bigint): Position =>
  `${major.toString().padStart(width, '0')}.${minor.toString().padStart(width, '0')}`;

export function decodePosition(position: Position): PositionParts {
  const match = pattern.exec(position);
  if (!match?.[1] || !match[2]) throw new TypeError(`Not an event store position: ${JSON.stringify(position)}`);
  return { major: BigInt(match[1]), minor: BigInt(match[2]) };
}

/** Numeric, so a position written without padding still compares correctly. */
export function comparePositions(a: Position, b: Position): number {
  const x = decodePosition(a);
  const y = decodePosition(b);
  if (x.major !== y.major) return x.major < y.major ? -1 : 1;
  if (x.minor !== y.minor) return x.minor < y.minor ? -1 : 1;
  return 0;
}
