-- One index per sort order of a board's task list (read-model/src/queries/tasks.queries.ts), in the
-- exact order of its ORDER BY after the equality filters (board_id, archived), so a page is an index
-- range scan of `limit + 1` rows whatever the board's size: no sort of the whole board.
-- Due dates sort NULL last in both directions: one expression index per direction, NULL as the far end.
-- They replace the indexes of 002 and 003 that left `archived` (always filtered on) out of the key.
DROP INDEX tasks_board_created;
DROP INDEX tasks_board_due;
DROP INDEX tasks_board_updated;
DROP INDEX tasks_board_priority;
DROP INDEX tasks_board_title;
DROP INDEX tasks_board_column;
CREATE INDEX tasks_keyset_position ON tasks (board_id, archived, position, id);
CREATE INDEX tasks_keyset_created ON tasks (board_id, archived, created_at, id);
CREATE INDEX tasks_keyset_updated ON tasks (board_id, archived, updated_at, id);
CREATE INDEX tasks_keyset_due_asc ON tasks (board_id, archived, (coalesce(due_date, 'infinity'::timestamptz)), id);
CREATE INDEX tasks_keyset_due_desc ON tasks (board_id, archived, (coalesce(due_date, '-infinity'::timestamptz)), id);
CREATE INDEX tasks_keyset_priority ON tasks (board_id, archived, priority_rank, id);
CREATE INDEX tasks_keyset_title ON tasks (board_id, archived, title, id);
-- A column's tasks in board order (the board view, and `columnId` with the position sort).
CREATE INDEX tasks_keyset_column ON tasks (board_id, column_id, archived, position, id);
