import { DuplicateEventIdError, WrongExpectedVersionError } from './eventStore.port.js';
import type { AppendResult, EventToAppend, ExpectedRevision, Position } from './eventStore.port.js';

/** Where an id of the batch is already stored. */
export interface StoredIdLocation {
  readonly id: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: Position;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Shared input rules, so every adapter refuses the same batches before touching storage. */
export function assertAppendable(streamId: string, events: readonly EventToAppend[]): void {
  if (streamId.length === 0) throw new TypeError('appendToStream: empty stream id');
  if (events.length === 0) throw new RangeError(`appendToStream(${streamId}): at least one event is required`);
  const seen = new Set<string>();
  for (const event of events) {
    if (!uuidPattern.test(event.id))
      throw new TypeError(`appendToStream(${streamId}): event id ${JSON.stringify(event.id)} is not a UUID`);
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new DuplicateEventIdError(streamId, [event.id]);
    seen.add(id);
  }
}

/**
 * EventStoreDB's idempotency rule: a batch whose ids are ALL stored already, contiguously and in the
 * same order in this stream, at the place the expected revision implies ('any' / 'stream_exists':
 * anywhere), is a retry: answer the original result and write nothing. Returns null when none of the
 * ids is stored (a normal append). Anything in between is an error.
 */
export function matchRetriedBatch(
  streamId: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision,
  found: readonly StoredIdLocation[],
  current: bigint | null,
): AppendResult | null {
  if (found.length === 0) return null;
  const byId = new Map(found.map((location) => [location.id.toLowerCase(), location]));
  const locations = events.map((event) => byId.get(event.id.toLowerCase()));
  const first = locations[0];
  const contiguous =
    first !== undefined &&
    locations.every(
      (location, index) => location?.streamId === streamId && location.revision === first.revision + BigInt(index),
    );
  if (!contiguous)
    throw new DuplicateEventIdError(
      streamId,
      found.map((location) => location.id),
    );
  const expectedStart = expected === 'no_stream' ? 0n : typeof expected === 'bigint' ? expected + 1n : first.revision;
  if (first.revision !== expectedStart) throw new WrongExpectedVersionError(streamId, expected, current ?? 'no_stream');
  const last = locations[locations.length - 1] ?? first;
  return { nextExpectedRevision: last.revision, position: last.position };
}

/** The expected-revision check for a normal append; throws on mismatch. */
export function assertExpectedRevision(streamId: string, expected: ExpectedRevision, current: bigint | null): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === null) ||
    (expected === 'stream_exists' && current !== null) ||
    (typeof expected === 'bigint' && current === expected);
  if (!ok) throw new WrongExpectedVersionError(streamId, expected, current ?? 'no_stream');
}
