import type { BoardEvent } from './board.events.js';

export const boardStreamPrefix = 'board-';
export const boardStreamId = (boardId: string): string => `${boardStreamPrefix}${boardId}`;
export const boardIdOfStream = (streamId: string): string | null =>
  streamId.startsWith(boardStreamPrefix) ? streamId.slice(boardStreamPrefix.length) : null;

export const envelopeSchemaVersion = 1;

/** The event on the wire, in Kafka and in `GET /boards/:id/events` (docs/architecture.md). */
export type Envelope<E extends BoardEvent = BoardEvent> = E & {
  readonly id: string;
  readonly boardId: string;
  /** 0-based revision in the board stream. */
  readonly revision: number;
  /** Opaque, totally ordered global position in the store, as a string. */
  readonly position: string;
  readonly occurredAt: string;
  readonly actorId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly schemaVersion: number;
  /**
   * W3C trace context of the last hop that carried the event (the command when stored, then the
   * relay, the bus). Only present when tracing was on; consumers never depend on it.
   */
  readonly traceparent?: string;
};

/** Metadata stored with each event in the store; the envelope is rebuilt from it. */
export interface StoredEventMetadata {
  readonly occurredAt: string;
  readonly actorId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly schemaVersion: number;
  /** The command's trace (W3C traceparent) when tracing was on; absent in older events. */
  readonly traceparent?: string;
}
