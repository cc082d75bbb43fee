-- The statistics' running count of each column (docs/adr/0019-set-based-projector.md): the tasks of
-- task_stats in the column that are neither archived nor deleted, kept by the projector's deltas
-- instead of a recount per change. A row exists while the count is above zero.
CREATE TABLE column_counts (
  board_id   uuid NOT NULL,
  column_id  uuid NOT NULL,
  tasks      integer NOT NULL CHECK (tasks > 0),
  PRIMARY KEY (board_id, column_id)
);

-- Boards projected before this migration.
INSERT INTO column_counts (board_id, column_id, tasks)
SELECT board_id, column_id, count(*) FROM task_stats WHERE NOT archived AND NOT deleted
GROUP BY board_id, column_id;
