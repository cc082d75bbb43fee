import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  createKafkaEventBus,
  createLogger,
  createTestDatabase,
  deleteTopics,
  ensureBoardEventsTopic,
  loadConfig,
  uniqueTopic,
  type KafkaEventBus,
  type TestDatabase,
} from '@primetrade/platform';
import {
  BoardStream,
  SearchWorkload,
  createProjector,
  indexedTasksOf,
  readModelTasksOf,
  type Projector,
} from '@primetrade/projector';
import { createOpenSearchIndex, runMigrations } from '@primetrade/read-model';
import { startSearchNode, type ServiceNode } from '@primetrade/server';
import { freePort, startOpenSearch, type OpenSearchNode } from '../infra/opensearch/opensearch.mjs';

// Fault 13 (docs/testing.md): OpenSearch stopped under writes. The search node (Kafka group `search`,
// server/src/searchNode.ts) keeps its offsets and retries; the projector and the bus go on; after the
// node returns, every task document of the index equals the read models, none missing, none twice.
const logger = createLogger({ level: 'silent' });
const brokers = inject('kafkaBrokers').split(',');
/** Retries the assertions until they hold (the index trails the writes, and refreshes each second). */
const until = (assertions: () => Promise<void>, timeout: number) => vi.waitFor(assertions, { timeout, interval: 250 });

describe('Search index on OpenSearch, fed by the search node over Kafka', () => {
  const topic = uniqueTopic('search');
  const prefix = `pt-fault-${Date.now().toString(36)}`;
  let database: TestDatabase;
  let bus: KafkaEventBus;
  let projector: Projector;
  let node: OpenSearchNode | null = null;
  let searchNode: ServiceNode | null = null;
  let dir: string;
  let ports: { port: number; transportPort: number };

  const startNode = async () => (node = await startOpenSearch({ ...ports, dataDir: path.join(dir, 'node') }));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pt-search-fault-'));
    ports = { port: await freePort(), transportPort: await freePort() };
    database = await createTestDatabase('search_fault', { max: 4 });
    await runMigrations(database.sql);
    await ensureBoardEventsTopic({ brokers, topic, partitions: 2, logger });
    bus = createKafkaEventBus({ brokers, topic, clientId: 'search-fault-test', logger, watchdogMs: 30_000 });
    projector = createProjector({ bus, sql: database.sql, logger });
    await projector.start();
    await startNode();
    const config = loadConfig({
      MODE: 'cluster',
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '2',
      REDIS_URL: 'redis://127.0.0.1:6379',
      JWT_SECRET: 'search-fault-test-secret-0123456789abcdef',
      SEARCH_URL: node!.url,
      SEARCH_INDEX_PREFIX: prefix,
      OPS_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    searchNode = await startSearchNode(config, logger);
    // An OpenSearch node takes 6–30 s to start, more on a loaded machine.
  }, 240_000);

  afterAll(async () => {
    await searchNode?.close();
    await projector?.stop();
    await bus?.close();
    await deleteTopics(brokers, [topic], logger).catch(() => undefined);
    await node?.stop();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('OpenSearch stopped under writes: the rest goes on, and the index converges to the read models', async () => {
    const boards = [new SearchWorkload(), new SearchWorkload(), new SearchWorkload()];
    const streams = boards.map((work) => new BoardStream({ boardId: work.boardId, ownerId: work.ownerId }));
    const write = async (
      rounds: number,
      also: (work: SearchWorkload) => ReturnType<SearchWorkload['next']> = () => [],
    ) => {
      for (let round = 0; round < rounds; round += 1)
        for (const [n, work] of boards.entries()) {
          const stream = streams[n]!;
          await bus.publish([...work.next(), ...(round === rounds - 1 ? also(work) : [])].map((e) => stream.emit(e)));
        }
    };
    const index = createOpenSearchIndex({ url: `http://127.0.0.1:${ports.port}`, prefix });
    const status = async () => (await fetch(`${searchNode!.opsUrl}/status`)).json() as Promise<Record<string, unknown>>;
    const readyz = async () => (await fetch(`${searchNode!.opsUrl}/readyz`)).json() as Promise<Record<string, unknown>>;
    const projected = (stream: BoardStream) => async () => {
      const rows = await database.sql.query<{ last_revision: string }>(
        'SELECT last_revision FROM projection_checkpoints WHERE board_id = $1',
        [stream.boardId],
      );
      return Number(rows[0]?.last_revision ?? -1) === stream.revision;
    };

    for (const [n, work] of boards.entries()) await bus.publish(work.opening().map((e) => streams[n]!.emit(e)));
    await write(5);
    await until(async () => {
      for (const stream of streams) expect(await index.boardRevision(stream.boardId)).toBe(stream.revision);
    }, 60_000);

    // 1. The node stops; writes go on (and a member leaves one board meanwhile).
    await node!.stop();
    node = null;
    await write(8, (work) => (work === boards[0] ? work.memberLeaves() : []));
    for (const stream of streams) await until(async () => expect(await projected(stream)()).toBe(true), 30_000);
    await until(async () => expect(await status()).toMatchObject({ state: 'retrying' }), 30_000);
    expect(await readyz()).toMatchObject({ status: 'degraded' });

    // 2. It comes back with its data: the node catches up from its offsets, with nothing missing or twice.
    await startNode();
    await write(2);
    await until(async () => {
      for (const stream of streams) expect(await index.boardRevision(stream.boardId)).toBe(stream.revision);
    }, 60_000);
    await until(async () => {
      for (const work of boards) {
        expect(await indexedTasksOf(index, work.ownerId)).toEqual(await readModelTasksOf(database.sql, work.ownerId));
        expect(await indexedTasksOf(index, work.memberId)).toEqual(await readModelTasksOf(database.sql, work.memberId));
      }
    }, 15_000);
    expect(await indexedTasksOf(index, boards[0]!.memberId)).toEqual([]);
    expect(await status()).toMatchObject({ state: 'running', failuresInARow: 0 });
    expect(await readyz()).toMatchObject({ status: 'ok' });
  }, 300_000);
});
