import { randomUUID } from 'node:crypto';
import http from 'node:http';
import {
  InMemorySpanExporter,
  createKafkaEventBus,
  createLogger,
  createMetrics,
  createSqlEventStore,
  createTokenService,
  deleteTopics,
  ensureBoardEventsTopic,
  startTracing,
  uniqueTopic,
  type BusSubscription,
  type KafkaEventBus,
  type ReadableSpan,
  type Tracing,
} from '@primetrade/platform';
import { createCommandHandler, type CommandHandler } from '@primetrade/command-api';
import { createProjector, createRelay, type Projector, type Relay } from '@primetrade/projector';
import { createMigratedPostgres, type MigratedDatabase } from '@primetrade/read-model';
import { createFanoutConsumer, createRealtimeServer, readModelAccess, type RealtimeServer } from '@primetrade/realtime';
import { eventuallyFound } from '@primetrade/platform/testkit/found.testkit.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * The cluster path of one command, on real PostgreSQL and a real Kafka broker: the trace context
 * leaves the process with the event (stored metadata → relay → Kafka header) and comes back in the
 * consumers, so the projector's and the socket push's spans join the command's trace.
 */
const logger = createLogger({ level: 'silent' });
const brokers = inject('kafkaBrokers').split(',');
const topic = uniqueTopic('tracing');
const collector = new InMemorySpanExporter();
const metrics = createMetrics();
let tracing: Tracing;
let database: MigratedDatabase;
let relayBus: KafkaEventBus;
let consumerBus: KafkaEventBus;
let projector: Projector;
let realtime: RealtimeServer;
let fanout: BusSubscription;
let relay: Relay;
let commands: CommandHandler;

beforeAll(async () => {
  tracing = await startTracing({ exporter: 'none', spanExporter: collector, serviceName: 'primetrade-test' });
  database = await createMigratedPostgres('tracing_kafka');
  const store = await createSqlEventStore(database.sql, { logger, metrics });
  await ensureBoardEventsTopic({ brokers, topic, partitions: 2, logger });
  relayBus = createKafkaEventBus({ brokers, topic, clientId: 'trace-relay', logger });
  consumerBus = createKafkaEventBus({
    brokers,
    topic,
    clientId: 'trace-consumers',
    logger,
    metrics,
    watchdogMs: 30_000,
  });
  projector = createProjector({ bus: consumerBus, sql: database.sql, logger, metrics });
  await projector.start();
  const tokens = createTokenService({ secret: 'trace-test-secret-0123456789abcdef', accessTtlSeconds: 60 });
  realtime = createRealtimeServer({
    httpServer: http.createServer(),
    tokens,
    logger,
    metrics,
    ...readModelAccess(database.sql),
  });
  fanout = await createFanoutConsumer(consumerBus, realtime);
  relay = createRelay({ store, bus: relayBus, sql: database.sql, logger, metrics });
  await relay.start();
  commands = createCommandHandler({ store });
});

afterAll(async () => {
  await relay?.stop();
  await fanout?.stop();
  await projector?.stop();
  await realtime?.close();
  await relayBus?.close();
  await consumerBus?.close();
  await deleteTopics(brokers, [topic], logger);
  await database?.drop();
  await tracing?.shutdown();
});

const eventually = <T>(probe: () => T | undefined): Promise<T> => eventuallyFound(probe, 30_000, 50);

const only = (spans: readonly ReadableSpan[], name: string): ReadableSpan => {
  const found = spans.filter((span) => span.name === name);
  expect(
    found.map((span) => span.name),
    name,
  ).toEqual([name]);
  return found[0] as ReadableSpan;
};
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('Tracing one command across the relay, Kafka, the projector and the socket push', () => {
  it('joins every stage to the command’s trace through the Kafka message', async () => {
    const boardId = randomUUID();
    const correlationId = randomUUID();
    const result = await commands.handle(
      boardId,
      {
        type: 'CreateBoard',
        data: { boardId, name: 'Over Kafka', columns: [{ columnId: randomUUID(), name: 'To do' }] },
        metadata: { now: new Date().toISOString(), actorId: randomUUID() },
      },
      { correlationId },
    );
    const command = only(collector.getFinishedSpans(), 'command CreateBoard');
    const traceId = command.spanContext().traceId;
    const trace = await eventually(() => {
      const spans = collector.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      return ['projector.apply', 'realtime.push'].every((name) => spans.some((span) => span.name === name))
        ? spans
        : undefined;
    });

    const append = only(trace, 'eventstore.append');
    const published = only(trace, 'relay.publish');
    const toProjector = only(trace, 'kafka consume projector');
    const toRealtime = only(trace, 'kafka consume realtime');
    expect(parentOf(command)).toBeUndefined();
    expect(parentOf(append)).toBe(command.spanContext().spanId);
    expect(parentOf(published)).toBe(command.spanContext().spanId);
    // The relay's own send (no Kafka transaction, docs/adr/0035) is timed inside its publish.
    const sends = trace.filter((span) => span.name === 'kafka send');
    expect(sends.length).toBeGreaterThan(0);
    for (const send of sends) expect(parentOf(send)).toBe(published.spanContext().spanId);
    expect(parentOf(toProjector)).toBe(published.spanContext().spanId);
    expect(parentOf(toRealtime)).toBe(published.spanContext().spanId);
    expect(parentOf(only(trace, 'projector.apply'))).toBe(toProjector.spanContext().spanId);
    expect(parentOf(only(trace, 'realtime.push'))).toBe(toRealtime.spanContext().spanId);
    expect(toProjector.attributes['messaging.destination.name']).toBe(topic);
    // Every event the command wrote travelled in the one traced hop.
    expect(result.events.length).toBeGreaterThan(1);
    expect(toProjector.attributes['primetrade.events']).toBe(result.events.length);
  });

  it('times a transactional publish: the batch on the log, then its commit, in the events’ trace (docs/adr/0025)', async () => {
    collector.reset();
    const boardId = randomUUID();
    const result = await commands.handle(
      boardId,
      {
        type: 'CreateBoard',
        data: { boardId, name: 'Timed', columns: [{ columnId: randomUUID(), name: 'To do' }] },
        metadata: { now: new Date().toISOString(), actorId: randomUUID() },
      },
      { correlationId: randomUUID() },
    );
    const command = only(collector.getFinishedSpans(), 'command CreateBoard');
    const traceId = command.spanContext().traceId;
    // This file's relay publishes the same events (and times its own send): wait for it to be done.
    await eventually(() =>
      collector
        .getFinishedSpans()
        .some((span) => span.name === 'relay.publish' && span.spanContext().traceId === traceId)
        ? true
        : undefined,
    );
    collector.reset();
    // With RELAY_KAFKA_TRANSACTIONS the cluster's relay publishes in Kafka transactions (ADR 0009,
    // ADR 0035); this bus is one of its own.
    const transactional = createKafkaEventBus({
      brokers,
      topic,
      clientId: 'trace-transactional',
      logger,
      transactionalId: `trace-${randomUUID()}`,
    });
    try {
      await transactional.publish(result.events);
    } finally {
      await transactional.close();
    }
    const inTrace = collector.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    const send = only(inTrace, 'kafka send');
    const commit = only(inTrace, 'kafka commit');
    expect(parentOf(send)).toBe(command.spanContext().spanId);
    expect(parentOf(commit)).toBe(command.spanContext().spanId);
    expect(send.attributes['primetrade.events']).toBe(result.events.length);
  });

  it('sets the projection lag and halted-partition gauges from what the consumer saw', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^primetrade_projection_lag_revisions\{partition="\d"\} 0$/m);
    expect(text).toMatch(/^primetrade_projector_halted_partitions 0$/m);
    expect(text).toMatch(/^primetrade_push_latency_seconds_count [1-9]/m);
    expect(text).toMatch(/^primetrade_projection_lag_seconds \d/m);
  });
});
