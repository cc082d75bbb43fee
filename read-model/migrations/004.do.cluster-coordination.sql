-- Cluster mode (docs/architecture.md): the relay's leader lease and the projector's Kafka offsets.

-- One row per relay role. Whoever holds an unexpired lease is the only relay that publishes;
-- `epoch` grows with every change of holder and fences a relay that lost the lease (a paused
-- process that wakes up finds its epoch stale and steps down before writing a checkpoint).
CREATE TABLE relay_leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  epoch bigint NOT NULL,
  expires_at timestamptz NOT NULL
);

-- The projector's position in each Kafka partition, written in the same transaction as the read
-- models it produced: after a crash the read models and the offsets agree, whatever Kafka's own
-- committed offsets say. `next_offset` is the first offset not yet applied.
CREATE TABLE projection_offsets (
  consumer_group text NOT NULL,
  topic text NOT NULL,
  kafka_partition integer NOT NULL,
  next_offset bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, kafka_partition)
);
