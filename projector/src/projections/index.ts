import type { Envelope } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { boardColumnsProjection } from './boardColumns.projection.js';
import { boardMembersProjection } from './boardMembers.projection.js';
import { boardsProjection } from './boards.projection.js';
import { commentsProjection } from './comments.projection.js';
import type { CompleteProjection } from './projection.js';
import { tasksProjection } from './tasks.projection.js';

/** Every event type has exactly one handler; a new event type fails the type check here. */
const readModels: CompleteProjection = {
  ...boardsProjection,
  ...boardMembersProjection,
  ...boardColumnsProjection,
  ...tasksProjection,
  ...commentsProjection,
};

type AnyHandler = (tx: SqlQueryable, event: Envelope) => Promise<void>;

export async function projectEvent(tx: SqlQueryable, event: Envelope): Promise<void> {
  // The map is keyed by the same `type` as the event, so the handler matches it.
  const handler = readModels[event.type] as AnyHandler | undefined;
  // An unknown type comes only from a newer writer: fail loudly rather than drop it.
  if (!handler) throw new Error(`No projection for event type ${String(event.type)}`);
  await handler(tx, event);
}
