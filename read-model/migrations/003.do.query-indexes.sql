-- Keyset pages of a board's tasks for the remaining sort keys (created_at and due_date have theirs in 002).
CREATE INDEX tasks_board_updated ON tasks (board_id, updated_at, id);
CREATE INDEX tasks_board_priority ON tasks (board_id, priority_rank, id);
CREATE INDEX tasks_board_title ON tasks (board_id, title, id);
