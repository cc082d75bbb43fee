import { boardIdOfStream, envelopeSchemaVersion } from '@primetrade/domain';
import type { BoardEvent, Envelope, StoredEventMetadata } from '@primetrade/domain';
import type { EventToAppend, StoredEvent } from './eventStore.port.js';

/** What the command side knows about the events it appends, besides the events themselves. */
export interface AppendContext {
  readonly occurredAt: string;
  readonly actorId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  /** The command's span (W3C traceparent), when tracing is on. */
  readonly traceparent?: string | undefined;
}

/** A domain event ready for `appendToStream`; `id` is a fresh UUID from the caller. */
export function toEventToAppend(event: BoardEvent, id: string, context: AppendContext): EventToAppend {
  const metadata: StoredEventMetadata = {
    occurredAt: context.occurredAt,
    actorId: context.actorId,
    correlationId: context.correlationId,
    causationId: context.causationId,
    schemaVersion: envelopeSchemaVersion,
    ...(context.traceparent ? { traceparent: context.traceparent } : {}),
  };
  return { id, type: event.type, data: event.data, metadata: { ...metadata } };
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** The wire envelope (docs/architecture.md) of a stored board event. Throws for an event outside a board stream. */
export function toEnvelope(stored: StoredEvent): Envelope {
  const boardId = boardIdOfStream(stored.streamId);
  if (boardId === null) throw new TypeError(`Stream ${stored.streamId} is not a board stream`);
  if (stored.revision > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`Revision ${stored.revision} of ${stored.streamId} is too large`);
  const { occurredAt, actorId, correlationId, causationId, schemaVersion, traceparent } = stored.metadata;
  if (
    !isString(occurredAt) ||
    !isString(actorId) ||
    !isString(correlationId) ||
    !(causationId === null || isString(causationId))
  ) {
    throw new TypeError(`Event ${stored.id} in ${stored.streamId} has no envelope metadata`);
  }
  // One literal, keys in the order the envelope always had (event, identity, metadata): no
  // intermediate objects, it is built for every event read (a rebuild's hot path, ADR 0031).
  // The store does not know event shapes; what it holds was validated by `decide` when appended.
  const envelope: Record<string, unknown> = {
    type: stored.type,
    data: stored.data,
    id: stored.id,
    boardId,
    revision: Number(stored.revision),
    position: stored.position,
    occurredAt,
    actorId,
    correlationId,
    causationId,
    schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : envelopeSchemaVersion,
  };
  // Optional: events stored before tracing existed (or with it off) have none.
  if (isString(traceparent)) envelope.traceparent = traceparent;
  return envelope as unknown as Envelope;
}
