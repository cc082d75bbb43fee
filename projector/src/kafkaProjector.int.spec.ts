import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Envelope } from '@primetrade/domain';
import {
  createKafkaEventBus,
  createLogger,
  deleteTopics,
  ensureBoardEventsTopic,
  uniqueTopic,
  type KafkaEventBus,
} from '@primetrade/platform';
import { createProjectionProgress, createMigratedPostgres, type MigratedDatabase } from '@primetrade/read-model';
import { createProjector, projectionOffsets, type Projector } from './projector.js';
import { BoardStream } from './testing/boardEvents.testkit.js';
import { waitFor } from './testing/wait.testkit.js';

const logger = createLogger({ level: 'silent' });
const brokers = inject('kafkaBrokers').split(',');

async function boardRevision(database: MigratedDatabase, boardId: string): Promise<number | null> {
  const rows = await database.sql.query<{ last_revision: string }>(
    'SELECT last_revision FROM projection_checkpoints WHERE board_id = $1',
    [boardId],
  );
  return rows[0] ? Number(rows[0].last_revision) : null;
}

describe('Projector on Kafka (consumer group `projector`)', () => {
  let database: MigratedDatabase;
  let bus: KafkaEventBus;
  let projector: Projector;
  const topic = uniqueTopic('projector');

  beforeAll(async () => {
    database = await createMigratedPostgres('kafka_projector');
    await ensureBoardEventsTopic({ brokers, topic, partitions: 4, logger });
    bus = createKafkaEventBus({ brokers, topic, clientId: 'projector-test', logger, watchdogMs: 30_000 });
    projector = createProjector({ bus, sql: database.sql, logger });
    await projector.start();
  });

  afterAll(async () => {
    await projector?.stop();
    await bus?.close();
    await deleteTopics(brokers, [topic], logger);
    await database?.drop();
  });

  it('projects every board, skips redelivered copies, and stores each partition’s next offset with the read models', async () => {
    const streams = Array.from({ length: 6 }, () => new BoardStream());
    const events: Envelope[] = streams.flatMap((stream) => [
      ...stream.create(),
      stream.emit({ type: 'BoardRenamed', data: { name: 'Renamed' } }),
    ]);
    await bus.publish(events);
    await bus.publish(events);
    for (const stream of streams)
      await waitFor(
        async () => (await boardRevision(database, stream.boardId)) === stream.revision,
        `board ${stream.boardId} projected`,
        30_000,
      );
    const names = await database.sql.query<{ name: string }>('SELECT name FROM boards WHERE id = ANY($1::uuid[])', [
      streams.map((s) => s.boardId),
    ]);
    expect(names.map((row) => row.name)).toEqual(streams.map(() => 'Renamed'));
    await waitFor(
      async () =>
        [...(await projectionOffsets(database.sql, topic)).values()].reduce((sum, next) => sum + next, 0n) ===
        BigInt(events.length * 2),
      'offsets cover both copies',
      30_000,
    );
  });

  it('wakes read-your-writes waiters when a Kafka batch commits (NOTIFY from the offset transaction)', async () => {
    // A re-check far beyond the wait: only a notification can end it in time.
    const progress = createProjectionProgress(database.sql, { safetyRecheckMs: 600_000 });
    try {
      const stream = new BoardStream();
      const events = stream.create();
      const waiting = progress.waitForBoards(new Map([[stream.boardId, stream.revision]]), 30_000);
      await bus.publish(events);
      await expect(waiting).resolves.toBe(true);
      expect(await boardRevision(database, stream.boardId)).toBe(stream.revision);
    } finally {
      await progress.close();
    }
  });

  it('halts only the partition of a board with a revision gap, and keeps the others flowing', async () => {
    const broken = new BoardStream();
    const created = broken.create();
    broken.emit({ type: 'BoardRenamed', data: { name: 'lost' } });
    const afterGap = broken.emit({ type: 'BoardRenamed', data: { name: 'after the gap' } });
    await bus.publish([...created, afterGap]);
    await waitFor(() => projector.status().state === 'halted', 'the projector reports the halt', 30_000);
    expect(projector.status().haltedPartitions).toHaveLength(1);
    expect(projector.status().lastError).toContain(broken.boardId);
    // Boards in other partitions still flow (some of these land in the halted one and wait).
    const others = Array.from({ length: 30 }, () => new BoardStream());
    await bus.publish(others.flatMap((stream) => stream.create()));
    await waitFor(
      async () => {
        const projected = await Promise.all(others.map((stream) => boardRevision(database, stream.boardId)));
        return projected.filter((revision) => revision === 1).length >= 3;
      },
      'boards of other partitions projected',
      30_000,
    );
    // The batch holding the gap was rolled back whole, and nothing after it in that partition applied.
    expect(await boardRevision(database, broken.boardId)).toBeNull();
    const stuck = await Promise.all(others.map((stream) => boardRevision(database, stream.boardId)));
    expect(stuck.filter((revision) => revision === null).length).toBeGreaterThan(0);
  });
});
