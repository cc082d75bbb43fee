import type { BoardEvent, BoardEventType, Envelope } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import type { BatchTx } from './batchTx.js';

export type EventOfType<K extends BoardEventType> = Extract<BoardEvent, { readonly type: K }>;

/** Applies one event to the read models inside the batch transaction. */
export type EventHandler<K extends BoardEventType> = (
  tx: SqlQueryable,
  event: Envelope<EventOfType<K>>,
) => Promise<void>;

/** Per-event handlers for some event types (the rare board-level events, applied in order). */
export type Projection = { readonly [K in BoardEventType]?: EventHandler<K> };

/**
 * Writes its read models for a whole batch (events in revision order per board, already past the
 * guard) with a few set-based statements, whatever the batch holds (docs/adr/0019-set-based-projector.md);
 * writes nobody reads go through `tx.write`, sent together.
 */
export type BatchProjection = (tx: BatchTx, events: readonly Envelope[]) => Promise<void>;

/** A board event that names a task (task and comment events). */
export type TaskScoped = Envelope & { readonly data: { readonly taskId: string } };

/** Rows are keyed by board and id, as the handlers' `WHERE id = … AND board_id = …` did. */
export const taskKey = (event: TaskScoped): string => `${event.boardId}/${event.data.taskId}`;
