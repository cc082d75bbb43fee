import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Envelope } from '@primetrade/domain';
import {
  createKafkaEventBus,
  createLogger,
  deleteTopics,
  ensureBoardEventsTopic,
  uniqueTopic,
  type KafkaEventBus,
  type Sql,
} from '@primetrade/platform';
import { createProjectionProgress, createMigratedPostgres, type MigratedDatabase } from '@primetrade/read-model';
import { applyEnvelopes } from './applyBatch.js';
import { createProjector, projectionOffsets, type Projector } from './projector.js';
import { BoardStream } from './testing/boardEvents.testkit.js';
import { boardHistories } from './testing/boardHistory.testkit.js';
import { readBoard } from './testing/readModels.testkit.js';
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

/** `sql` whose transactions are counted: `most` is the highest number open at the same time. */
function countingTransactions(sql: Sql): { readonly sql: Sql; readonly most: () => number } {
  let open = 0;
  let most = 0;
  const counted: Sql = {
    kind: sql.kind,
    query: (text, params) => sql.query(text, params),
    exec: (text) => sql.exec(text),
    copyFrom: (table, columns, rows) => sql.copyFrom(table, columns, rows),
    listen: (channel, onNotify) => sql.listen(channel, onNotify),
    close: () => sql.close(),
    async tx(fn) {
      open += 1;
      most = Math.max(most, open);
      try {
        return await sql.tx(fn);
      } finally {
        open -= 1;
      }
    },
  };
  return { sql: counted, most: () => most };
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
    const offsetsBefore = await projectionOffsets(database.sql, topic);
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
    // The batch holding the gap was rolled back whole, its offset with it, and nothing after it in
    // that partition applied.
    expect(await boardRevision(database, broken.boardId)).toBeNull();
    const [halted] = projector.status().haltedPartitions ?? [];
    expect((await projectionOffsets(database.sql, topic)).get(halted!)).toBe(offsetsBefore.get(halted!));
    const stuck = await Promise.all(others.map((stream) => boardRevision(database, stream.boardId)));
    expect(stuck.filter((revision) => revision === null).length).toBeGreaterThan(0);
  });
});

describe('Projector on Kafka, partitions at once', () => {
  let live: MigratedDatabase;
  let oneByOne: MigratedDatabase;
  let bus: KafkaEventBus;
  let projector: Projector;
  let counted: ReturnType<typeof countingTransactions>;
  const topic = uniqueTopic('projector_at_once');

  beforeAll(async () => {
    [live, oneByOne] = await Promise.all([
      createMigratedPostgres('kafka_projector_at_once'),
      createMigratedPostgres('kafka_projector_one_by_one'),
    ]);
    await ensureBoardEventsTopic({ brokers, topic, partitions: 4, logger });
    bus = createKafkaEventBus({ brokers, topic, clientId: 'projector-at-once-test', logger, watchdogMs: 30_000 });
    counted = countingTransactions(live.sql);
    projector = createProjector({ bus, sql: counted.sql, logger, partitionsAtOnce: 3 });
    await projector.start();
  });

  afterAll(async () => {
    await projector?.stop();
    await bus?.close();
    await deleteTopics(brokers, [topic], logger);
    await Promise.all([live?.drop(), oneByOne?.drop()]);
  });

  it('applies several partitions in overlapping transactions and ends with the read models of one batch after the other', async () => {
    const histories = boardHistories({ boards: 24, eventsPerBoard: 120, seed: 39 });
    // Interleaved as the feed would have them: boards take turns, a few events each.
    const [feed, total] = [[] as Envelope[], histories.flat().length];
    for (let offset = 0; feed.length < total; offset += 5)
      for (const history of histories) feed.push(...history.slice(offset, offset + 5));
    for (let start = 0; start < feed.length; start += 400) await bus.publish(feed.slice(start, start + 400));
    for (let start = 0; start < feed.length; start += 500)
      await applyEnvelopes(oneByOne.sql, feed.slice(start, start + 500));
    for (const history of histories)
      await waitFor(
        async () => (await boardRevision(live, history[0]!.boardId)) === history.at(-1)!.revision,
        `board ${history[0]!.boardId} projected`,
        60_000,
      );
    expect(projector.status().state).toBe('running');
    // Not one partition after the other: batches of different partitions were open together.
    expect(counted.most()).toBeGreaterThanOrEqual(2);
    expect(counted.most()).toBeLessThanOrEqual(3);
    for (const history of histories) {
      const boardId = history[0]!.boardId;
      expect(await readBoard(live.sql, boardId)).toEqual(await readBoard(oneByOne.sql, boardId));
    }
  });
});
