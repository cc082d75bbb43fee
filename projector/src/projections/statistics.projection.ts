import { keepPlan } from '@primetrade/platform';
import type { BatchTx } from './batchTx.js';
import type { Envelope } from '@primetrade/domain';
import {
  foldStatistics,
  type Breach,
  type ColumnState,
  type StatsChanges,
  type StatsState,
  type TaskStatsRow,
} from './statsFold.js';

/**
 * The statistics read models (`task_stats`, `column_counts`, `column_flow`, `wip_breaches`;
 * migrations 005 and 008), set-based (docs/adr/0019-set-based-projector.md): one read of what the
 * batch touches — taken before any of the batch's writes, so this projection runs first and folds the
 * batch's column changes itself — the fold in TypeScript (`statsFold.ts`), then one statement per table.
 */

/** Event types the statistics read; a batch without any writes nothing here. */
const statisticsTypes: ReadonlySet<string> = new Set([
  'TaskCreated',
  'TaskMoved',
  'TaskCompleted',
  'TaskReopened',
  'TaskArchived',
  'TaskRestored',
  'TaskDeleted',
  'TaskReinstated',
  'ColumnAdded',
  'ColumnMoved',
  'ColumnWipLimitSet',
  'ColumnRemoved',
]);

interface StateRow {
  columns: { board_id: string; id: string; position: string; wip_limit: number | null }[] | null;
  counts: { board_id: string; column_id: string; tasks: number }[] | null;
  open: Omit<Breach, 'stored'>[] | null;
  tasks: TaskStatsRow[] | null;
}

/**
 * Instants as JSON text (ISO 8601, microseconds kept), so rows written back are unchanged. Every batch
 * with statistics runs it: its plan is kept (`keepPlan`).
 */
const loadState = keepPlan(`
  WITH touched AS (SELECT * FROM task_stats WHERE task_id = ANY ($2::uuid[])),
       batch_boards AS (SELECT unnest($1::uuid[]) AS board_id UNION SELECT board_id FROM touched)
  SELECT
    (SELECT json_agg(json_build_object('board_id', board_id, 'id', id, 'position', position, 'wip_limit', wip_limit))
       FROM board_columns WHERE board_id = ANY ($1::uuid[])) AS columns,
    (SELECT json_agg(c) FROM column_counts c WHERE board_id = ANY (ARRAY(SELECT board_id FROM batch_boards))) AS counts,
    (SELECT json_agg(json_build_object('board_id', board_id, 'column_id', column_id, 'started_at', started_at,
            'ended_at', ended_at, 'wip_limit', wip_limit, 'peak_tasks', peak_tasks))
       FROM wip_breaches WHERE board_id = ANY ($1::uuid[]) AND ended_at IS NULL) AS open,
    (SELECT json_agg(t) FROM touched t) AS tasks`);

async function readState(tx: BatchTx, events: readonly Envelope[]): Promise<StatsState> {
  const boardIds = [...new Set(events.map((event) => event.boardId))];
  const taskIds = [...new Set(events.flatMap((event) => ('taskId' in event.data ? [event.data.taskId] : [])))];
  const [row] = await tx.query<StateRow>(loadState, [boardIds, taskIds]);
  const columns = new Map<string, Map<string, ColumnState>>();
  for (const column of row?.columns ?? []) {
    const board = columns.get(column.board_id) ?? new Map<string, ColumnState>();
    columns.set(
      column.board_id,
      board.set(column.id, { id: column.id, position: column.position, wipLimit: column.wip_limit }),
    );
  }
  return {
    columns,
    counts: new Map((row?.counts ?? []).map((count) => [`${count.board_id}/${count.column_id}`, count.tasks])),
    open: new Map((row?.open ?? []).map((open) => [`${open.board_id}/${open.column_id}`, { ...open, stored: true }])),
    tasks: new Map((row?.tasks ?? []).map((task) => [task.task_id, task])),
  };
}

const breachColumns = `board_id uuid, column_id uuid, started_at timestamptz, ended_at timestamptz, wip_limit integer,
  peak_tasks integer`;

const insertBreaches = `
  INSERT INTO wip_breaches (board_id, column_id, started_at, ended_at, wip_limit, peak_tasks)
  SELECT board_id, column_id, started_at, ended_at, wip_limit, peak_tasks FROM jsonb_to_recordset($1::jsonb) AS x (${breachColumns})`;

/**
 * Every statistics write of the batch in one statement (each CTE a different table, or different
 * rows of one): the touched task rows; the changed counts (a row exists while its count is above
 * zero); each column's last count of each day; the breaches that were open before the batch, in
 * place; and the breaches the batch opened ($5). A new breach of a column whose stored one ended in
 * the batch goes in by a second statement instead: a data-modifying CTE's order is unspecified, and
 * at most one breach per column may be open.
 */
const writeStatistics = keepPlan(`
  WITH task_rows AS (
    INSERT INTO task_stats (task_id, board_id, column_id, archived, deleted, status, created_at, completed_at, cycle_started_at)
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS x (task_id uuid, board_id uuid, column_id uuid, archived boolean,
         deleted boolean, status text, created_at timestamptz, completed_at timestamptz, cycle_started_at timestamptz)
    ON CONFLICT (task_id) DO UPDATE SET column_id = excluded.column_id, archived = excluded.archived,
      deleted = excluded.deleted, status = excluded.status, created_at = excluded.created_at,
      completed_at = excluded.completed_at, cycle_started_at = excluded.cycle_started_at
  ), counts AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS x (board_id uuid, column_id uuid, tasks integer)
  ), emptied AS (
    DELETE FROM column_counts c USING counts x
    WHERE c.board_id = ANY ($6::uuid[]) AND x.tasks <= 0 AND c.board_id = x.board_id AND c.column_id = x.column_id
  ), counted AS (
    INSERT INTO column_counts (board_id, column_id, tasks) SELECT board_id, column_id, tasks FROM counts WHERE tasks > 0
    ON CONFLICT (board_id, column_id) DO UPDATE SET tasks = excluded.tasks
  ), flow AS (
    INSERT INTO column_flow (board_id, column_id, day, tasks)
    SELECT * FROM jsonb_to_recordset($3::jsonb) AS x (board_id uuid, column_id uuid, day date, tasks integer)
    ON CONFLICT (board_id, column_id, day) DO UPDATE SET tasks = excluded.tasks
  ), stored AS (
    UPDATE wip_breaches b SET ended_at = x.ended_at, peak_tasks = x.peak_tasks
    FROM jsonb_to_recordset($4::jsonb) AS x (${breachColumns})
    WHERE b.board_id = ANY ($6::uuid[]) AND b.board_id = x.board_id AND b.column_id = x.column_id AND b.ended_at IS NULL
  )
  INSERT INTO wip_breaches (board_id, column_id, started_at, ended_at, wip_limit, peak_tasks)
  SELECT board_id, column_id, started_at, ended_at, wip_limit, peak_tasks FROM jsonb_to_recordset($5::jsonb) AS x (${breachColumns})`);

async function writeChanges(tx: BatchTx, state: StatsState, changes: StatsChanges): Promise<void> {
  const counts = [...changes.counts].map((key) => {
    const [board_id, column_id] = key.split('/');
    return { board_id, column_id, tasks: state.counts.get(key) ?? 0 };
  });
  const flow = [...changes.flow].map(([key, tasks]) => {
    const [board_id, column_id, day] = key.split('/');
    return { board_id, column_id, day, tasks };
  });
  const breaches = [...changes.breaches];
  const stored = breaches.filter((breach) => breach.stored);
  const added = breaches.filter((breach) => !breach.stored);
  const endedHere = new Set(stored.map((breach) => `${breach.board_id}/${breach.column_id}`));
  const later = added.some((breach) => endedHere.has(`${breach.board_id}/${breach.column_id}`));
  if (changes.tasks.size + counts.length + flow.length + breaches.length === 0) return;
  tx.write(writeStatistics, [
    JSON.stringify([...changes.tasks]),
    JSON.stringify(counts),
    JSON.stringify(flow),
    JSON.stringify(stored),
    JSON.stringify(later ? [] : added),
    // The boards again as an array: the planner then reads those boards' rows by index, not every row.
    [...new Set([...counts, ...stored].map((row) => row.board_id))],
  ]);
  if (later) tx.write(insertBreaches, [JSON.stringify(added)]);
}

export async function projectStatistics(tx: BatchTx, events: readonly Envelope[]): Promise<void> {
  const relevant = events.filter((event) => statisticsTypes.has(event.type));
  if (relevant.length === 0) return;
  const state = await readState(tx, relevant);
  await writeChanges(tx, state, foldStatistics(state, relevant));
}
