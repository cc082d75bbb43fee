-- One notification per person, task and command (issue 11). The projector already folds the events
-- of one command (one correlation id) into one notification within a batch; a redelivery that splits
-- the command differently (its first events committed, the rest in the next batch) used to add a
-- second one, keyed by a later event's id, and mail it again. The correlation id makes the key.
-- due_soon rows have none (they come from the clock): NULLs never collide, their own key stays.
ALTER TABLE notifications ADD COLUMN correlation_id text;

-- Rows from before this migration: the events' metadata lives in the event store, which need not be
-- in this database (EventStoreDB). The events of one command share their actor and instant
-- (occurred_at is the command's clock), so that pair stands in for the command; the 'legacy:' prefix
-- keeps it apart from every real correlation id.
UPDATE notifications SET correlation_id = 'legacy:' || coalesce(actor_id::text, '') || ':' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
WHERE kind <> 'due_soon';

-- Duplicates a split redelivery already stored: keep the most specific kind (then any one of them),
-- the way the projector folds a command; the others go, with their outbox rows (ON DELETE CASCADE).
DELETE FROM notifications n USING (
  SELECT id, row_number() OVER (
    PARTITION BY user_id, task_id, correlation_id
    ORDER BY CASE kind WHEN 'assigned' THEN 3 WHEN 'mentioned' THEN 2 ELSE 0 END DESC, created_at, id
  ) AS rank
  FROM notifications WHERE correlation_id IS NOT NULL
) ranked
WHERE n.id = ranked.id AND ranked.rank > 1;

CREATE UNIQUE INDEX notifications_command_user ON notifications (user_id, task_id, correlation_id);
