import type { Envelope, TaskCreated } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { boardColumnsProjection } from './boardColumns.projection.js';
import { boardMembersProjection } from './boardMembers.projection.js';
import { boardsProjection } from './boards.projection.js';
import { commentsProjection } from './comments.projection.js';
import type { CompleteProjection, Projection } from './projection.js';
import { createTaskStats, statisticsProjection } from './statistics.projection.js';
import { createTasks, tasksProjection } from './tasks.projection.js';

/** Every event type has exactly one handler; a new event type fails the type check here. */
const readModels: CompleteProjection = {
  ...boardsProjection,
  ...boardMembersProjection,
  ...boardColumnsProjection,
  ...tasksProjection,
  ...commentsProjection,
};

/** Run after the read model's handler of the same event: statistics read what it wrote. */
const followers: Projection = statisticsProjection;

type AnyHandler = (tx: SqlQueryable, event: Envelope) => Promise<void>;

/** An event type this version cannot project (written by a newer version): the projector halts. */
export class UnknownEventTypeError extends Error {
  override readonly name = 'UnknownEventTypeError';
  constructor(
    readonly boardId: string,
    readonly revision: number,
    readonly type: string,
  ) {
    super(`No projection for event type ${type} (board ${boardId}, revision ${revision})`);
  }
}

export async function projectEvent(tx: SqlQueryable, event: Envelope): Promise<void> {
  // The map is keyed by the same `type` as the event, so the handler matches it.
  const handler = readModels[event.type] as AnyHandler | undefined;
  // Only a newer writer produces one: skipping it would silently diverge, so stop instead.
  if (!handler) throw new UnknownEventTypeError(event.boardId, event.revision, String(event.type));
  await handler(tx, event);
  await (followers[event.type] as AnyHandler | undefined)?.(tx, event);
}

const isTaskCreated = (event: Envelope): event is Envelope<TaskCreated> => event.type === 'TaskCreated';

/**
 * Projects events in order, one statement each, except that a run of consecutive TaskCreated
 * goes in as one insert (the one bulk case worth a special path: imports and replays).
 */
export async function projectEvents(tx: SqlQueryable, events: readonly Envelope[]): Promise<void> {
  let run: Envelope<TaskCreated>[] = [];
  const flush = async () => {
    if (run.length > 1) {
      await createTasks(tx, run);
      await createTaskStats(tx, run);
    } else if (run[0]) await projectEvent(tx, run[0]);
    run = [];
  };
  for (const event of events) {
    if (isTaskCreated(event)) {
      run.push(event);
      continue;
    }
    await flush();
    await projectEvent(tx, event);
  }
  await flush();
}
