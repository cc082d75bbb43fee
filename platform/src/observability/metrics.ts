import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics every service shares; each service adds its own to `registry`. */
export interface Metrics {
  readonly registry: Registry;
  /** Event store append, seconds; label `result`: ok | conflict | error. */
  readonly appendDuration: Histogram<'result'>;
  /** Command handling end to end, seconds; labels `command`, `result`. */
  readonly commandDuration: Histogram<'command' | 'result'>;
  /** Events committed in the store and not yet published by the relay. */
  readonly relayLagEvents: Gauge;
  /**
   * Events (each one board revision) published to the bus that the projector has not applied,
   * label `partition` (Kafka); add `relayLagEvents` for the distance to the store itself.
   */
  readonly projectionLagRevisions: Gauge<'partition'>;
  /** From an event's command (`occurredAt`) to its emit to the board room, seconds. */
  readonly pushLatency: Histogram;
  readonly socketsConnected: Gauge;
  /** 0 = closed, 1 = half open, 2 = open; label `name`. */
  readonly breakerState: Gauge<'name'>;
  /** Messages a consumer group is behind the partition's end (Kafka); labels `group`, `partition`. */
  readonly busConsumerLag: Gauge<'group' | 'partition'>;
  /** Seconds from an event's commit in the store to the broker's ack of it (the relay's lag in time). */
  readonly relayCommitToAck: Histogram;
  /** 1 while this relay holds the leader lease, 0 on standby. */
  readonly relayLeader: Gauge;
}

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** A fresh registry per call (tests create many), with the default process metrics. */
export function createMetrics(options: { readonly prefix?: string } = {}): Metrics {
  const registry = new Registry();
  const prefix = options.prefix ?? 'primetrade_';
  collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  return {
    registry,
    appendDuration: new Histogram({
      name: `${prefix}event_store_append_duration_seconds`,
      help: 'Event store append duration',
      labelNames: ['result'],
      buckets: latencyBuckets,
      registers,
    }),
    commandDuration: new Histogram({
      name: `${prefix}command_duration_seconds`,
      help: 'Command handling duration, from request to appended events',
      labelNames: ['command', 'result'],
      buckets: latencyBuckets,
      registers,
    }),
    relayLagEvents: new Gauge({
      name: `${prefix}relay_lag_events`,
      help: 'Committed events not yet published by the relay',
      registers,
    }),
    projectionLagRevisions: new Gauge({
      name: `${prefix}projection_lag_revisions`,
      help: 'Revisions the read models are behind the store',
      labelNames: ['partition'],
      registers,
    }),
    pushLatency: new Histogram({
      name: `${prefix}push_latency_seconds`,
      help: 'End to end: from the command that wrote an event to its emit to the board room',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    socketsConnected: new Gauge({ name: `${prefix}sockets_connected`, help: 'Connected realtime sockets', registers }),
    breakerState: new Gauge({
      name: `${prefix}breaker_state`,
      help: 'Circuit breaker state: 0 closed, 1 half open, 2 open',
      labelNames: ['name'],
      registers,
    }),
    busConsumerLag: new Gauge({
      name: `${prefix}bus_consumer_lag_messages`,
      help: 'Messages a consumer group is behind the end of a partition',
      labelNames: ['group', 'partition'],
      registers,
    }),
    relayCommitToAck: new Histogram({
      name: `${prefix}relay_commit_to_ack_seconds`,
      help: 'From an event committed in the store to the broker acknowledging it',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    relayLeader: new Gauge({
      name: `${prefix}relay_leader`,
      help: '1 while this relay holds the leader lease',
      registers,
    }),
  };
}
