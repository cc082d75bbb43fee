import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createKafkaEventBus,
  createLogger,
  createSqlEventStore,
  createTestDatabase,
  deleteTopics,
  ensureBoardEventsTopic,
  loadOpsConfig,
  toEnvelope,
  uniqueTopic,
  type EventStore,
  type KafkaEventBus,
  type StoredEvent,
  type TestDatabase,
} from '@primetrade/platform';
import { saveNextCheckpoint } from '../checkpoints.js';
import { createProjector, type Projector } from '../projector.js';
import { runMigrations } from '@primetrade/read-model';
import { appendHistories, boardHistories } from '../testing/boardHistory.testkit.js';
import { waitFor } from '../testing/wait.testkit.js';
import { openConnections, type OpsConnections } from './connections.js';
import { collectStatus, formatStatus } from './status.js';

const logger = createLogger({ level: 'silent' });
const brokers = inject('kafkaBrokers');

describe('ops `status`: relay checkpoint, Kafka offsets and lag, projected boards', () => {
  let database: TestDatabase;
  let store: EventStore;
  let stored: StoredEvent[];
  let bus: KafkaEventBus;
  let projector: Projector;
  let connections: OpsConnections;
  const topic = uniqueTopic('ops-status');
  const config = () => loadOpsConfig({ DATABASE_URL: database.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic });

  beforeAll(async () => {
    database = await createTestDatabase('ops_status');
    await runMigrations(database.sql);
    store = await createSqlEventStore(database.sql);
    const appended = await appendHistories(store, boardHistories({ boards: 5, eventsPerBoard: 8, seed: 11 }), 5);
    await waitFor(async () => (await store.readAll()).length === appended, 'the feed shows every event', 20_000);
    stored = await store.readAll();
    await ensureBoardEventsTopic({ brokers: brokers.split(','), topic, partitions: 3, logger });
    bus = createKafkaEventBus({
      brokers: brokers.split(','),
      topic,
      clientId: 'ops-status-test',
      logger,
      watchdogMs: 30_000,
    });
    await bus.publish(stored.map(toEnvelope));
    // The relay published everything but checkpointed only the first 30 events.
    await saveNextCheckpoint(database.sql, { name: `relay:${topic}`, position: stored[29]!.position });
    projector = createProjector({ bus, sql: database.sql, logger });
    await projector.start();
    await waitFor(
      async () => {
        const [row] = await database.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM projection_checkpoints');
        return row?.n === 5;
      },
      'five boards projected',
      30_000,
    );
    connections = openConnections(config(), logger);
  });
  afterAll(async () => {
    await connections?.close();
    await projector?.stop();
    await bus?.close();
    await deleteTopics(brokers.split(','), [topic], logger);
    await store?.close();
    await database?.drop();
  });

  it('reports pending events behind the relay checkpoint, lag per partition and group, and the projected boards', async () => {
    await waitFor(
      async () => {
        const status = await collectStatus(config(), connections, logger);
        return status.kafka?.partitions.filter((p) => p.group === 'projector').every((p) => p.lag === '0') ?? false;
      },
      'the projector has consumed every partition',
      30_000,
    );
    const status = await collectStatus(config(), connections, logger);
    expect(status.projections?.checkpoints).toEqual([
      expect.objectContaining({
        name: `relay:${topic}`,
        position: stored[29]!.position,
        pendingEvents: stored.length - 30,
        pendingCapped: false,
      }),
    ]);
    expect(status.projections?.boards.projected).toBe(5);
    const partitions = status.kafka?.partitions ?? [];
    expect(partitions.map((p) => `${p.group}:${p.partition}`)).toEqual([
      'projector:0',
      'projector:1',
      'projector:2',
      'realtime:0',
      'realtime:1',
      'realtime:2',
    ]);
    const ends = partitions.filter((p) => p.group === 'projector').map((p) => BigInt(p.endOffset));
    expect(ends.reduce((a, b) => a + b, 0n)).toBe(BigInt(stored.length));
    // No realtime node ran: its whole topic is lag.
    expect(partitions.filter((p) => p.group === 'realtime').map((p) => p.lag)).toEqual(ends.map(String));
    expect(status.txids).toMatchObject({ needsRebase: false, offset: '0' });
    const text = formatStatus(status);
    expect(text).toContain(`pending ${stored.length - 30}`);
    expect(text).toContain('projected boards: 5');
  });

  it('reports Kafka as unavailable instead of failing when no broker answers', async () => {
    const offline = { ...config(), kafkaBrokers: ['127.0.0.1:1'] };
    const status = await collectStatus(offline, connections, logger);
    expect(status.kafka).toBeNull();
    expect(status.kafkaError).toBeTruthy();
    expect(status.projections?.boards.projected).toBe(5);
  });
});
