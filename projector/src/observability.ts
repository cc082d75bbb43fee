import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics of the relay and the projector, registered once per registry (a restart reuses them). */
export interface ProjectorMetrics {
  readonly relayedEvents: Counter;
  readonly relayBatchDuration: Histogram;
  readonly projectedEvents: Counter<'result'>;
  readonly projectionBatchDuration: Histogram;
  readonly projectionHalted: Counter;
  /** Partitions halted right now (the in-process bus counts as one); the counter above only says a halt happened. */
  readonly haltedPartitions: Gauge;
  /** Seconds from the newest applied event's command to its read-model commit. */
  readonly projectionLagSeconds: Gauge;
  /** Events (= board revisions) on the bus the projector has not applied; per partition, summed. */
  readonly projectionLagRevisions: Gauge<'partition'>;
}

const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function once<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function projectorMetrics(registry: Registry, prefix = 'primetrade_'): ProjectorMetrics {
  const registers = [registry];
  const name = (suffix: string) => `${prefix}${suffix}`;
  return {
    relayedEvents: once(
      registry,
      name('relay_events_total'),
      () =>
        new Counter({ name: name('relay_events_total'), help: 'Events published to the bus by the relay', registers }),
    ),
    relayBatchDuration: once(
      registry,
      name('relay_batch_duration_seconds'),
      () =>
        new Histogram({
          name: name('relay_batch_duration_seconds'),
          help: 'Relay batch: publish and checkpoint',
          buckets,
          registers,
        }),
    ),
    projectedEvents: once(
      registry,
      name('projector_events_total'),
      () =>
        new Counter({
          name: name('projector_events_total'),
          help: 'Events handled by the projector; result applied | skipped',
          labelNames: ['result'],
          registers,
        }),
    ),
    projectionBatchDuration: once(
      registry,
      name('projector_batch_duration_seconds'),
      () =>
        new Histogram({
          name: name('projector_batch_duration_seconds'),
          help: 'Projector batch transaction',
          buckets,
          registers,
        }),
    ),
    projectionHalted: once(
      registry,
      name('projector_halts_total'),
      () =>
        new Counter({
          name: name('projector_halts_total'),
          help: 'Projector halts on a revision gap (alarm on any)',
          registers,
        }),
    ),
    haltedPartitions: once(
      registry,
      name('projector_halted_partitions'),
      () =>
        new Gauge({
          name: name('projector_halted_partitions'),
          help: 'Partitions the projector has halted now (alarm while > 0)',
          registers,
        }),
    ),
    projectionLagSeconds: once(
      registry,
      name('projection_lag_seconds'),
      () =>
        new Gauge({
          name: name('projection_lag_seconds'),
          help: 'Age of the newest event the projector applied, at its commit (command time to read model)',
          registers,
        }),
    ),
    // Also declared by the shared `createMetrics()`; `once` reuses that one when the registry has it.
    projectionLagRevisions: once(
      registry,
      name('projection_lag_revisions'),
      () =>
        new Gauge({
          name: name('projection_lag_revisions'),
          help: 'Revisions the read models are behind the store',
          labelNames: ['partition'],
          registers,
        }),
    ),
  };
}
