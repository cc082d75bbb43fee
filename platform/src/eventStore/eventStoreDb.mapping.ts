import { DuplicateEventIdError, WrongExpectedVersionError } from './eventStore.port.js';
import type { EventToAppend, ExpectedRevision, Position, ReadStreamOptions, StoredEvent } from './eventStore.port.js';
import { decodePosition, encodePosition } from './position.js';

/**
 * The pure half of the EventStoreDB adapter (ADR 0007): everything that maps between the port and
 * the server's terms without talking to it. Shapes are structural, so the client import stays in
 * `eventStoreDbEventStore.ts` alone.
 */

/** A transaction-log position as the client gives it. */
export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** Our position string: commit then prepare, each 20 digits, so string order is log order. */
export const fromLogPosition = (position: LogPosition): Position => encodePosition(position.commit, position.prepare);

export function toLogPosition(position: Position): LogPosition {
  const { major, minor } = decodePosition(position);
  return { commit: major, prepare: minor };
}

/** The client takes the port's four modes as they are; only a revision must be a real one. */
export function toClientExpectedRevision(expected: ExpectedRevision): ExpectedRevision {
  if (typeof expected === 'bigint' && expected < 0n) throw new RangeError(`Expected revision ${expected} is negative`);
  return expected;
}

/** `$`-streams are the server's own ($stats, $settings, projections, metadata): never part of the feed. */
export const isSystemStream = (streamId: string): boolean => streamId.startsWith('$');

/** What `readAll` and `subscribeToAll` show: the prefix's streams, or every user stream. */
export const isVisible = (streamId: string, streamPrefix: string | undefined): boolean =>
  streamPrefix ? streamId.startsWith(streamPrefix) : !isSystemStream(streamId);

/** The server-side filter matching `isVisible`. */
export type StreamFilterPlan = { readonly prefixes: string[] } | { readonly regex: string };

export const streamFilterPlan = (streamPrefix: string | undefined): StreamFilterPlan =>
  streamPrefix ? { prefixes: [streamPrefix] } : { regex: '^[^$]' };

function assertCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0))
    throw new RangeError(`${name} must be a non-negative integer, not ${value}`);
}

/** One forward stream read, or null when the options select nothing. */
export function planStreamRead(
  options: ReadStreamOptions,
): { readonly fromRevision: bigint; readonly maxCount: bigint } | null {
  const from = options.fromRevision ?? 0n;
  if (from < 0n) throw new RangeError(`fromRevision ${from} is negative`);
  assertCount('maxCount', options.maxCount);
  const byRange = options.toRevision === undefined ? null : options.toRevision - from + 1n;
  const byCount = options.maxCount === undefined ? null : BigInt(options.maxCount);
  const count = byRange === null ? byCount : byCount === null ? byRange : byRange < byCount ? byRange : byCount;
  if (count !== null && count <= 0n) return null;
  return { fromRevision: from, maxCount: count ?? BigInt(Number.MAX_SAFE_INTEGER) };
}

/** Checks `readAll` options before any I/O; returns the exclusive lower bound. */
export function planAllRead(options: { readonly after?: Position | null; readonly maxCount?: number }): {
  readonly after: LogPosition | null;
  readonly maxCount: number;
} {
  assertCount('maxCount', options.maxCount);
  return {
    after: options.after ? toLogPosition(options.after) : null,
    maxCount: options.maxCount ?? Number.POSITIVE_INFINITY,
  };
}

/** A recorded event as the client returns it (JSON data already parsed). */
export interface RecordedEventLike {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly revision: bigint;
  readonly created: Date;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: LogPosition;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

export function toStoredEvent(recorded: RecordedEventLike): StoredEvent {
  // Stream reads carry positions from server 22.6 on; older servers cannot serve this port.
  if (!recorded.position)
    throw new Error(
      `EventStoreDB returned ${recorded.streamId}@${recorded.revision} without a position (server older than 22.6?)`,
    );
  return {
    id: recorded.id.toLowerCase(),
    streamId: recorded.streamId,
    type: recorded.type,
    revision: recorded.revision,
    position: fromLogPosition(recorded.position),
    data: recorded.data ?? null,
    metadata: isRecord(recorded.metadata) ? recorded.metadata : {},
    recordedAt: recorded.created,
  };
}

/** What the server reported with its wrong-expected-version answer. */
export interface ServerConflict {
  readonly actual: bigint | 'no_stream';
  /**
   * Ids stored at the revisions the expected revision implies (from `expected + 1`, as many as the
   * batch has), read after the conflict; only needed for an exact revision or `no_stream`.
   */
  readonly storedAtImpliedPlace?: readonly string[];
}

/**
 * EventStoreDB answers "wrong expected version" also for a batch that partly repeats stored ids
 * (its "corrupted idempotency"). Under `any`, and under `stream_exists` on an existing stream, that
 * is the only possible cause; under an exact revision it is when the first id sits where the batch
 * would have gone. Those become `DuplicateEventIdError`, as the port promises; the rest stay
 * `WrongExpectedVersionError` with the port's expected value and the server's actual revision.
 */
export function classifyConflict(
  streamId: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision,
  conflict: ServerConflict,
): Error {
  const ids = events.map((event) => event.id);
  if (expected === 'any') return new DuplicateEventIdError(streamId, ids);
  if (expected === 'stream_exists') {
    return conflict.actual === 'no_stream'
      ? new WrongExpectedVersionError(streamId, expected, 'no_stream')
      : new DuplicateEventIdError(streamId, ids);
  }
  const first = conflict.storedAtImpliedPlace?.[0];
  if (first !== undefined && first.toLowerCase() === ids[0]?.toLowerCase()) {
    const stored = new Set(conflict.storedAtImpliedPlace?.map((id) => id.toLowerCase()));
    return new DuplicateEventIdError(
      streamId,
      ids.filter((id) => stored.has(id.toLowerCase())),
    );
  }
  return new WrongExpectedVersionError(streamId, expected, conflict.actual);
}

/** The first revision an append at `expected` would have written (`any`/`stream_exists`: none). */
export const impliedFirstRevision = (expected: ExpectedRevision): bigint | null =>
  expected === 'no_stream' ? 0n : typeof expected === 'bigint' ? expected + 1n : null;

/** Log order: commit, then prepare (the server's own order). */
export const compareLogPositions = (a: LogPosition, b: LogPosition): number =>
  a.commit !== b.commit
    ? a.commit < b.commit
      ? -1
      : 1
    : a.prepare !== b.prepare
      ? a.prepare < b.prepare
        ? -1
        : 1
      : 0;
