-- Read models built by the projector from the board streams (docs/architecture.md).
-- Position keys sort in byte order: COLLATE "C".
CREATE TABLE boards (
  id           uuid PRIMARY KEY,
  name         text NOT NULL,
  description  text NOT NULL DEFAULT '',
  archived     boolean NOT NULL DEFAULT false,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  revision     bigint NOT NULL
);

CREATE TABLE board_members (
  board_id  uuid NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
  user_id   uuid NOT NULL,
  role      text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  added_at  timestamptz NOT NULL,
  PRIMARY KEY (board_id, user_id)
);
CREATE INDEX board_members_user ON board_members (user_id);

CREATE TABLE board_columns (
  board_id   uuid NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
  id         uuid NOT NULL,
  name       text NOT NULL,
  position   text COLLATE "C" NOT NULL,
  is_done    boolean NOT NULL,
  wip_limit  integer,
  PRIMARY KEY (board_id, id)
);

CREATE TABLE tasks (
  id            uuid PRIMARY KEY,
  board_id      uuid NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
  column_id     uuid NOT NULL,
  position      text COLLATE "C" NOT NULL,
  title         text NOT NULL,
  description   text NOT NULL DEFAULT '',
  priority      text NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
  priority_rank smallint GENERATED ALWAYS AS (
    CASE priority WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 ELSE 3 END
  ) STORED,
  due_date      timestamptz,
  assignee_ids  uuid[] NOT NULL DEFAULT '{}',
  labels        text[] NOT NULL DEFAULT '{}',
  status        text NOT NULL CHECK (status IN ('open', 'completed')),
  archived      boolean NOT NULL DEFAULT false,
  created_by    uuid NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  completed_at  timestamptz,
  revision      bigint NOT NULL,
  search        tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(description, '')), 'B')
  ) STORED
);
CREATE INDEX tasks_board_column ON tasks (board_id, column_id, position);
CREATE INDEX tasks_board_created ON tasks (board_id, created_at, id);
CREATE INDEX tasks_board_due ON tasks (board_id, due_date, id);
CREATE INDEX tasks_assignees ON tasks USING gin (assignee_ids);
CREATE INDEX tasks_labels ON tasks USING gin (labels);
CREATE INDEX tasks_search ON tasks USING gin (search);

CREATE TABLE comments (
  id          uuid PRIMARY KEY,
  task_id     uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  board_id    uuid NOT NULL,
  author_id   uuid NOT NULL,
  body        text NOT NULL,
  created_at  timestamptz NOT NULL,
  edited_at   timestamptz
);
CREATE INDEX comments_task ON comments (task_id, created_at, id);

-- Per board: the last stream revision applied (the projector's duplicate/gap guard).
CREATE TABLE projection_checkpoints (
  board_id       uuid PRIMARY KEY,
  last_revision  bigint NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Named positions in the store's global feed (the relay) and bus offsets (cluster mode).
CREATE TABLE checkpoints (
  name        text PRIMARY KEY,
  position    text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
