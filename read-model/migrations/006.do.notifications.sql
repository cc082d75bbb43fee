-- Notifications (issue 5) are user data, not read models: the projector writes them from live
-- deliveries only, a rebuild never replays them and keeps these tables as they are (ADR 0011).
-- Hence no foreign keys to read-model tables (a rebuild swaps those out) and no mixing with them here.
CREATE TABLE notifications (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('assigned', 'mentioned', 'due_soon', 'followed')),
  board_id    uuid NOT NULL,
  task_id     uuid NOT NULL,
  -- The event that caused it; null for due_soon, which comes from the clock.
  event_id    uuid,
  actor_id    uuid,
  -- due_soon: the due date it warned about (once per task, user and due date).
  due_date    timestamptz,
  task_title  text NOT NULL,
  summary     text NOT NULL,
  created_at  timestamptz NOT NULL,
  read_at     timestamptz
);
-- At most one per (event, user): a redelivered event inserts nothing. NULL event ids never collide.
CREATE UNIQUE INDEX notifications_event_user ON notifications (user_id, event_id);
CREATE UNIQUE INDEX notifications_due_once ON notifications (user_id, task_id, due_date) WHERE kind = 'due_soon';
CREATE INDEX notifications_user_newest ON notifications (user_id, created_at, id);
CREATE INDEX notifications_user_unread ON notifications (user_id, created_at, id) WHERE read_at IS NULL;

-- E-mail outbox: one row per notification to mail, written in the projector's transaction when SMTP
-- is configured; a worker sends and records the outcome, so SMTP never holds up the projector.
CREATE TABLE notification_mails (
  notification_id  uuid PRIMARY KEY REFERENCES notifications (id) ON DELETE CASCADE,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  sent_at          timestamptz,
  failed_at        timestamptz,
  last_error       text
);
CREATE INDEX notification_mails_pending ON notification_mails (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Explicit follow choices (POST/DELETE /tasks/:id/follow): true follows, false opts out of the
-- automatic following of creators, assignees and commenters. Kept across task deletion and rebuilds.
CREATE TABLE task_follows (
  task_id     uuid NOT NULL,
  user_id     uuid NOT NULL,
  following   boolean NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (task_id, user_id)
);
