-- History read model and board snapshots (docs/architecture.md "History and time travel", ADR 0020),
-- written by projector/src/projections/history.projection.ts in the batch's transaction.

-- One row per event of a board, described against the board just before it. Strings are stored as
-- the envelope carried them and `changes`/`data` as json (not jsonb: key order kept), so a page
-- answers byte for byte what folding the stream answers. `data` lets a fold run from the read
-- database alone (time travel, the projector's own state before a batch).
CREATE TABLE board_history (
  board_id     uuid NOT NULL,
  revision     bigint NOT NULL,
  event_id     text NOT NULL,
  occurred_at  text NOT NULL,
  -- The same instant in epoch milliseconds: what the time filters compare (as Date.parse does).
  occurred_ms  double precision NOT NULL,
  actor_id     text NOT NULL,
  type         text NOT NULL,
  task_id      text,
  summary      text NOT NULL,
  changes      json NOT NULL,
  data         json NOT NULL,
  PRIMARY KEY (board_id, revision)
);
CREATE INDEX board_history_task ON board_history (board_id, task_id, revision);
CREATE INDEX board_history_actor ON board_history (board_id, actor_id, revision);

-- The board state after `revision`, every K events (the projector's HISTORY_SNAPSHOT_EVERY): time
-- travel folds only the history rows after the nearest one.
CREATE TABLE board_snapshots (
  board_id  uuid NOT NULL,
  revision  bigint NOT NULL,
  state     json NOT NULL,
  PRIMARY KEY (board_id, revision)
);
