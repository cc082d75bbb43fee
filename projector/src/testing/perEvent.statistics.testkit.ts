import type { Envelope, TaskCompleted, TaskCreated } from '@primetrade/domain';
import type { SqlQueryable } from '@primetrade/platform';
import type { Projection } from '../projections/projection.js';

/**
 * The statistics as they were projected before they became set-based (docs/adr/0019-set-based-projector.md):
 * after each event's read-model statement, its own, with a recount of the columns it changed. The
 * reference `setBased.int.spec.ts` compares the set-based projection with; never used by the projector.
 */

/** The board's first column by position now: leaving it starts a task's cycle. */
const firstColumnOf = (board: string) =>
  `(SELECT id FROM board_columns WHERE board_id = ${board} ORDER BY position, id LIMIT 1)`;

/** Which columns a refresh recounts: the given ids, or the column a task is in. */
const columnSelectors = {
  ids: 'c.id = ANY ($2::uuid[])',
  task: 'c.id IN (SELECT column_id FROM task_stats WHERE task_id = $2::uuid)',
} as const;

/**
 * Recounts columns after a change at `$3`: the day's flow row, and the WIP breach bookkeeping (a
 * breach opens when the count goes above the limit, its peak grows, it ends when the count is back
 * within the limit or the limit is gone). `$4` is subtracted from the count: the bulk path uses it
 * for the end of an earlier day of its run.
 */
const refreshSql = (selector: keyof typeof columnSelectors) => `
  WITH load AS (
    SELECT c.id AS column_id, c.wip_limit,
           (SELECT count(*) FROM task_stats t
            WHERE t.board_id = c.board_id AND t.column_id = c.id AND NOT t.archived AND NOT t.deleted)::int - $4::int AS tasks
    FROM board_columns c WHERE c.board_id = $1::uuid AND ${columnSelectors[selector]}
  ), flow AS (
    INSERT INTO column_flow (board_id, column_id, day, tasks)
    SELECT $1::uuid, column_id, ($3::timestamptz AT TIME ZONE 'UTC')::date, tasks FROM load
    ON CONFLICT (board_id, column_id, day) DO UPDATE SET tasks = excluded.tasks
  ), closed AS (
    UPDATE wip_breaches b SET ended_at = $3::timestamptz FROM load
    WHERE b.board_id = $1::uuid AND b.column_id = load.column_id AND b.ended_at IS NULL
      AND (load.wip_limit IS NULL OR load.tasks <= load.wip_limit)
  )
  INSERT INTO wip_breaches (board_id, column_id, started_at, wip_limit, peak_tasks)
  SELECT $1::uuid, column_id, $3::timestamptz, wip_limit, tasks FROM load WHERE wip_limit IS NOT NULL AND tasks > wip_limit
  ON CONFLICT (board_id, column_id) WHERE ended_at IS NULL
  DO UPDATE SET peak_tasks = greatest(wip_breaches.peak_tasks, excluded.peak_tasks)`;

async function refreshColumns(tx: SqlQueryable, event: Envelope, columnIds: readonly string[], minus = 0) {
  await tx.query(refreshSql('ids'), [event.boardId, columnIds, event.occurredAt, minus]);
}

async function refreshColumnOfTask(tx: SqlQueryable, event: Envelope, taskId: string) {
  await tx.query(refreshSql('task'), [event.boardId, taskId, event.occurredAt, 0]);
}

/** `$1` task, `$2` board; `assignments` is a constant from this file. */
async function updateTaskStats(
  tx: SqlQueryable,
  taskId: string,
  boardId: string,
  assignments: string,
  extra: readonly unknown[] = [],
) {
  await tx.query(`UPDATE task_stats SET ${assignments} WHERE task_id = $1 AND board_id = $2`, [
    taskId,
    boardId,
    ...extra,
  ]);
}

/** When the task was completed: the event may carry the instant (an undo restores the original). */
const completionInstant = (event: Envelope<TaskCompleted>): string => event.data.completedAt ?? event.occurredAt;

/**
 * An undone delete: the task as it was, live again with its own instants. A task deleted before
 * keeps its row, and with it its cycle start; one without (deleted before migration 005) gets a new
 * row whose cycle starts as a new task's would.
 */
const reinstateTaskStats = `
  INSERT INTO task_stats (task_id, board_id, column_id, archived, deleted, status, created_at, completed_at, cycle_started_at)
  VALUES ($1, $2, $3, $4, false, $5, $6, $7, CASE WHEN $3::uuid = ${firstColumnOf('$2')} THEN NULL ELSE $6::timestamptz END)
  ON CONFLICT (task_id) DO UPDATE SET column_id = excluded.column_id, archived = excluded.archived, deleted = false,
    status = excluded.status, created_at = excluded.created_at, completed_at = excluded.completed_at`;

const insertTaskStats = `
  INSERT INTO task_stats (task_id, board_id, column_id, status, created_at, cycle_started_at)
  SELECT x.task_id, x.board_id, x.column_id, 'open', x.created_at,
         CASE WHEN x.column_id = ${firstColumnOf('x.board_id')} THEN NULL ELSE x.created_at END
  FROM jsonb_to_recordset($1::jsonb) AS x (task_id uuid, board_id uuid, column_id uuid, created_at timestamptz)`;

const taskStatsRow = (event: Envelope<TaskCreated>) => ({
  task_id: event.data.taskId,
  board_id: event.boardId,
  column_id: event.data.columnId,
  created_at: event.occurredAt,
});

export const statisticsPerEvent = {
  async TaskCreated(tx, event) {
    await tx.query(insertTaskStats, [JSON.stringify([taskStatsRow(event)])]);
    await refreshColumns(tx, event, [event.data.columnId]);
  },
  async TaskMoved(tx, event) {
    const { taskId, fromColumnId, toColumnId } = event.data;
    await updateTaskStats(
      tx,
      taskId,
      event.boardId,
      `column_id = $3, cycle_started_at = CASE
         WHEN cycle_started_at IS NULL AND $3::uuid <> $4::uuid AND $4::uuid = ${firstColumnOf('$2')} THEN $5::timestamptz
         ELSE cycle_started_at END`,
      [toColumnId, fromColumnId, event.occurredAt],
    );
    if (fromColumnId !== toColumnId) await refreshColumns(tx, event, [fromColumnId, toColumnId]);
  },
  TaskCompleted: (tx, event) =>
    updateTaskStats(tx, event.data.taskId, event.boardId, `status = 'completed', completed_at = $3`, [
      completionInstant(event),
    ]),
  TaskReopened: (tx, event) =>
    updateTaskStats(tx, event.data.taskId, event.boardId, `status = 'open', completed_at = NULL`),
  async TaskArchived(tx, event) {
    await updateTaskStats(tx, event.data.taskId, event.boardId, 'archived = true');
    await refreshColumnOfTask(tx, event, event.data.taskId);
  },
  async TaskRestored(tx, event) {
    await updateTaskStats(tx, event.data.taskId, event.boardId, 'archived = false');
    await refreshColumnOfTask(tx, event, event.data.taskId);
  },
  async TaskDeleted(tx, event) {
    await updateTaskStats(tx, event.data.taskId, event.boardId, 'deleted = true');
    await refreshColumnOfTask(tx, event, event.data.taskId);
  },
  async TaskReinstated(tx, event) {
    const { taskId, task } = event.data;
    await tx.query(reinstateTaskStats, [
      taskId,
      event.boardId,
      task.columnId,
      task.archived,
      task.status,
      task.createdAt,
      task.status === 'completed' ? task.completedAt : null,
    ]);
    await refreshColumnOfTask(tx, event, taskId);
  },
  ColumnWipLimitSet: async (tx, event) => {
    await refreshColumns(tx, event, [event.data.columnId]);
  },
} satisfies Projection;
