-- The search index's PostgreSQL adapter (read-model/src/search/pgSearchIndex.ts,
-- docs/adr/0024-search-engine.md): documents written through the search port, like the OpenSearch
-- adapter's indexes, never the read-model tables themselves, so both adapters answer the same
-- contract from the same writes.
-- Levenshtein distances for typo tolerance; trusted, so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- Per board: the last revision applied (the revision guard) and who may see its tasks.
CREATE TABLE search_boards (
  board_id   uuid PRIMARY KEY,
  revision   bigint NOT NULL,
  member_ids uuid[] NOT NULL DEFAULT '{}'
);
CREATE TABLE search_board_members (
  user_id  uuid NOT NULL,
  board_id uuid NOT NULL,
  PRIMARY KEY (user_id, board_id)
);

CREATE TABLE search_tasks (
  id            uuid PRIMARY KEY,
  board_id      uuid NOT NULL,
  column_id     uuid NOT NULL,
  title         text NOT NULL,
  description   text NOT NULL,
  labels        text[] NOT NULL,
  comments      text[] NOT NULL,
  assignee_ids  uuid[] NOT NULL,
  priority      text NOT NULL,
  priority_rank smallint NOT NULL,
  due_date      timestamptz,
  status        text NOT NULL,
  archived      boolean NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  revision      bigint NOT NULL,
  -- Title first (A), labels (B), description and comments (C): ranks like the OpenSearch field boosts.
  search        tsvector NOT NULL
);
CREATE INDEX search_tasks_board ON search_tasks (board_id, archived, updated_at, id);
CREATE INDEX search_tasks_search ON search_tasks USING gin (search);
CREATE INDEX search_tasks_assignees ON search_tasks USING gin (assignee_ids);
CREATE INDEX search_tasks_labels ON search_tasks USING gin (labels);

-- Every word ever indexed (never shrinks; a word no task has any more only widens a query to a
-- term that matches nothing): a query word expands to the words within its edit distance.
CREATE TABLE search_terms (
  term text COLLATE "C" PRIMARY KEY
);
CREATE INDEX search_terms_length ON search_terms (length(term));
