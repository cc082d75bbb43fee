import { randomUUID } from 'node:crypto';
import { boardStreamId, keysAfter, type Priority, type TaskCreated } from '@primetrade/domain';
import type { EventStore } from '@primetrade/platform';

export interface BigBoardSeed {
  /** A board that exists (created through the API), and one of its members as the tasks' author. */
  readonly boardId: string;
  readonly actorId: string;
  readonly columnIds: readonly string[];
  /** The board stream's last revision before the seed. */
  readonly revision: number;
  readonly tasks: number;
  /** Events per append (one statement and transaction each). Default 1,000. */
  readonly batch?: number;
}

const priorities: readonly Priority[] = ['low', 'medium', 'high', 'urgent'];

/**
 * Appends `tasks` TaskCreated events to an existing board's stream, dealt round-robin over its
 * columns, each at the end of its column, in batches: a board of 50,000 tasks in seconds, where
 * one command per task through the API takes minutes. The events are what `decide` would answer
 * for "create at the end" (keys from `keysAfter`), written without it because its placement
 * reads the whole column per task. The relay and projector of the running system take them from
 * there. Returns the stream's last revision. For big-board tests and B15.
 */
export async function appendBigBoard(store: EventStore, seed: BigBoardSeed): Promise<number> {
  const perColumn = Math.ceil(seed.tasks / seed.columnIds.length);
  const keys = keysAfter(null, perColumn);
  const batchSize = seed.batch ?? 1_000;
  const occurredAt = new Date().toISOString();
  let revision = seed.revision;
  for (let start = 0; start < seed.tasks; start += batchSize) {
    const events = [];
    for (let index = start; index < Math.min(seed.tasks, start + batchSize); index++) {
      const data: TaskCreated['data'] = {
        taskId: randomUUID(),
        columnId: seed.columnIds[index % seed.columnIds.length] ?? '',
        position: keys[Math.floor(index / seed.columnIds.length)] ?? '',
        title: `Task ${String(index).padStart(5, '0')}: ${index % 5 === 0 ? 'review the rollout checklist' : 'ship it'}`,
        description: index % 3 === 0 ? 'Steps to reproduce, notes and links.' : '',
        priority: priorities[index % priorities.length] ?? 'medium',
        dueDate: null,
        assigneeIds: [],
        labels: [`area-${index % 7}`],
      };
      events.push({
        id: randomUUID(),
        type: 'TaskCreated',
        data,
        metadata: {
          occurredAt,
          actorId: seed.actorId,
          correlationId: randomUUID(),
          causationId: null,
          schemaVersion: 1,
        },
      });
    }
    await store.appendToStream(boardStreamId(seed.boardId), events, { expectedRevision: BigInt(revision) });
    revision += events.length;
  }
  return revision;
}
