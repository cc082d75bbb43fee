-- Statistics read models (docs/architecture.md, issue 5), written by statistics.projection.ts in the same
-- transaction as the other read models. The rules are in docs/api.md "Statistics".

-- One row per task ever created on a board. A deleted task keeps its row (deleted = true) so that
-- an undo of the delete brings back its cycle start, which no later event carries.
CREATE TABLE task_stats (
  task_id           uuid PRIMARY KEY,
  board_id          uuid NOT NULL,
  column_id         uuid NOT NULL,
  archived          boolean NOT NULL DEFAULT false,
  deleted           boolean NOT NULL DEFAULT false,
  status            text NOT NULL CHECK (status IN ('open', 'completed')),
  created_at        timestamptz NOT NULL,
  -- The latest completion (a reopen clears it): lead and cycle time end here.
  completed_at      timestamptz,
  -- When the task first left the board's first column (or was created outside it).
  cycle_started_at  timestamptz
);
CREATE INDEX task_stats_board_column ON task_stats (board_id, column_id);

-- Per column and UTC day: the column's task count (not archived, not deleted) at the end of that
-- day, written whenever it changes; a day without a row carries the previous day's count forward.
CREATE TABLE column_flow (
  board_id   uuid NOT NULL,
  column_id  uuid NOT NULL,
  day        date NOT NULL,
  tasks      integer NOT NULL,
  PRIMARY KEY (board_id, column_id, day)
);

-- Each time a column held more tasks than its WIP limit: from the change that took it over the
-- limit to the one that ended that (a move out, an archive, a raised or removed limit).
CREATE TABLE wip_breaches (
  board_id    uuid NOT NULL,
  column_id   uuid NOT NULL,
  started_at  timestamptz NOT NULL,
  ended_at    timestamptz,
  -- The limit when the breach began, and the most tasks the column held during it.
  wip_limit   integer NOT NULL,
  peak_tasks  integer NOT NULL
);
-- At most one open breach per column; the projection upserts against it.
CREATE UNIQUE INDEX wip_breaches_open ON wip_breaches (board_id, column_id) WHERE ended_at IS NULL;
CREATE INDEX wip_breaches_board ON wip_breaches (board_id, started_at);

-- Boards projected before this migration: their tasks as they are now (cycle starts unknown, the
-- flow starts today). A rebuild replaces this with the exact history.
INSERT INTO task_stats (task_id, board_id, column_id, archived, deleted, status, created_at, completed_at, cycle_started_at)
SELECT id, board_id, column_id, archived, false, status, created_at, completed_at, NULL FROM tasks;

INSERT INTO column_flow (board_id, column_id, day, tasks)
SELECT board_id, column_id, (now() AT TIME ZONE 'UTC')::date, count(*) FROM tasks WHERE NOT archived
GROUP BY board_id, column_id;
