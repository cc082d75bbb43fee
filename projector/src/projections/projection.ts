import type { BoardEvent, BoardEventType, Envelope } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';

type EventOfType<K extends BoardEventType> = Extract<BoardEvent, { readonly type: K }>;

/** Applies one event to the read models inside the batch transaction. */
export type EventHandler<K extends BoardEventType> = (
  tx: SqlQueryable,
  event: Envelope<EventOfType<K>>,
) => Promise<void>;

/** A projection handles some event types; together the projections must handle all of them. */
export type Projection = { readonly [K in BoardEventType]?: EventHandler<K> };
export type CompleteProjection = { readonly [K in BoardEventType]: EventHandler<K> };
