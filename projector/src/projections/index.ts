import type { BoardEventType, Envelope } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import { boardColumnsProjection } from './boardColumns.projection.js';
import { projectMembers } from './boardMembers.projection.js';
import { boardsProjection } from './boards.projection.js';
import { projectComments } from './comments.projection.js';
import type { BatchProjection, Projection } from './projection.js';
import { projectStatistics } from './statistics.projection.js';
import { projectTasks } from './tasks.projection.js';
import { batchWriter, isBatchWriter, writesOf } from './batchTx.js';
import { historyProjection } from './history.projection.js';

export type { BatchProjection } from './projection.js';

/**
 * How each event type is projected (docs/adr/0019-set-based-projector.md): the rare board and column
 * events one statement each, in order; member, task and comment events set-based, per batch. A new event type fails
 * the type check here.
 */
const routes: { readonly [K in BoardEventType]: 'board' | 'member' | 'task' | 'comment' } = {
  BoardCreated: 'board',
  BoardRenamed: 'board',
  BoardDescriptionChanged: 'board',
  BoardArchived: 'board',
  BoardRestored: 'board',
  MemberAdded: 'member',
  MemberRoleChanged: 'member',
  MemberRemoved: 'member',
  ColumnAdded: 'board',
  ColumnRenamed: 'board',
  ColumnMoved: 'board',
  ColumnWipLimitSet: 'board',
  ColumnRemoved: 'board',
  TaskCreated: 'task',
  TaskTitleChanged: 'task',
  TaskDescriptionChanged: 'task',
  TaskMoved: 'task',
  TaskAssigned: 'task',
  TaskUnassigned: 'task',
  TaskLabelAdded: 'task',
  TaskLabelRemoved: 'task',
  TaskPriorityChanged: 'task',
  TaskDueDateChanged: 'task',
  TaskCompleted: 'task',
  TaskReopened: 'task',
  TaskArchived: 'task',
  TaskRestored: 'task',
  TaskDeleted: 'task',
  ColumnPositionsRebalanced: 'task',
  TaskReinstated: 'task',
  CommentAdded: 'comment',
  CommentEdited: 'comment',
  CommentDeleted: 'comment',
  CommentReinstated: 'comment',
};

const boardLevel: Projection = { ...boardsProjection, ...boardColumnsProjection };

type AnyHandler = (tx: SqlQueryable, event: Envelope) => Promise<void>;

/** Board and column events, one statement each in order (boards first: members and tasks reference them). */
const projectBoardLevel: BatchProjection = async (tx, events) => {
  const writes = writesOf(tx);
  for (const event of events)
    if (routes[event.type] === 'board') await (boardLevel[event.type] as AnyHandler)(writes, event);
};

/**
 * The batch projections, in the order they run; each gets the whole batch. Statistics first: they
 * read the state before the batch and fold its column changes themselves. History last (ADR 0032):
 * its reads (of the history tables alone) start before any of them (`prefetch`), and its fold, the
 * batch's heaviest work in this process, runs while the server writes the other projections' rows.
 * A projection added here runs in the same transaction and sees the read models as the batch left
 * them when it comes last.
 */
export const batchProjections: readonly BatchProjection[] = [
  projectStatistics,
  projectBoardLevel,
  projectMembers,
  projectTasks,
  projectComments,
  historyProjection,
];

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

/**
 * Projects events (revision order per board, past the guard) into every read model, each projection
 * set-based over the whole batch, with the same rows as applying them one by one. The writes go to
 * the server as scripts (`batchTx.ts`): before a projection's read, sent without waiting before the
 * history projection (ADR 0032), and at the end; given the batch's writer (`applyBatch.ts`), the
 * last ones stay queued for the caller's last writes and flush.
 */
export async function projectEvents(tx: SqlQueryable, events: readonly Envelope[]): Promise<void> {
  // Only a newer writer produces one: skipping it would silently diverge, so stop before any write.
  const unknown = events.find((event) => !Object.hasOwn(routes, event.type));
  if (unknown) throw new UnknownEventTypeError(unknown.boardId, unknown.revision, String(unknown.type));
  if (events.length === 0) return;
  const shared = isBatchWriter(tx);
  const writer = batchWriter(tx);
  try {
    historyProjection.prefetch(writer, events);
    for (const project of batchProjections) {
      // The server writes the other projections' rows while the history projection folds (ADR 0032).
      if (project === historyProjection) writer.send();
      await project(writer, events);
    }
    if (!shared) await writer.flush();
  } catch (error) {
    // The writer's owner settles a shared one (`applyBatch.ts`).
    if (!shared) await writer.settle();
    throw error;
  }
}
