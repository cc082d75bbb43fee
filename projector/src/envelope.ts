import { boardIdOfStream, type BoardEvent, type Envelope, type StoredEventMetadata } from '@primetrade/domain';
import type { StoredEvent } from '@primetrade/platform';

/**
 * A stored board event as the domain's wire envelope (DESIGN §4).
 * Local until platform exports its own `toEnvelope`; then this file goes.
 */
export function toEnvelope(stored: StoredEvent): Envelope {
  const boardId = boardIdOfStream(stored.streamId);
  if (boardId === null) throw new TypeError(`Not a board stream: ${stored.streamId}`);
  const metadata = stored.metadata as Partial<StoredEventMetadata>;
  return {
    type: stored.type,
    data: stored.data,
    id: stored.id,
    boardId,
    revision: Number(stored.revision),
    position: stored.position,
    occurredAt: metadata.occurredAt ?? stored.recordedAt.toISOString(),
    actorId: metadata.actorId ?? '',
    correlationId: metadata.correlationId ?? stored.id,
    causationId: metadata.causationId ?? null,
    schemaVersion: metadata.schemaVersion ?? 1,
  } as BoardEvent as Envelope;
}
