import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  boardStreamId,
  boardStreamPrefix,
  type BoardViewDto,
  type Envelope,
  type PresenceUser,
} from '@primetrade/domain';
import {
  createLogger,
  createSqlEventStore,
  createTestDatabase,
  startTcpProxy,
  toEnvelope,
  unusedPort,
  type EventStore,
  type TcpProxy,
  type TestDatabase,
} from '@primetrade/platform';
import { applyEnvelopes } from '@primetrade/projector';
import { compareReadModels, runMigrations } from '@primetrade/read-model';
import { startKafka, type KafkaBroker } from '../infra/kafka/kafka.mjs';
import { startCluster, type Cluster } from '../infra/cluster/src/cluster.js';
import { repoRoot } from '../infra/cluster/src/supervisor.js';
import { apiClient, connectToBoard } from './kit/api.js';
import {
  BoardFollower,
  readTopic,
  republish,
  startPrivateRedis,
  type PrivateRedis,
  type TopicMessage,
} from './kit/cluster.js';
import { eventually } from './kit/eventually.js';

/**
 * The distributed product across real processes (docs/architecture.md "cluster", docs/testing.md fault list 4–10):
 * two relays, a projector, two command-api and two realtime nodes, nginx in front; PostgreSQL (read
 * side through a TCP proxy the test can cut, the event store in its own database), a Kafka broker
 * and a Redis server of this test's own. Each fault ends with the same proof: the read models equal
 * a fresh fold of the event store row by row, Kafka holds every event, per-board order is kept.
 */

interface Session {
  readonly user: { id: string };
  readonly accessToken: string;
}

const logger = createLogger({ level: 'silent' });
/** The relay's and projector's wiring with a crash injected around a port (faults 4 and 7), built by `npm run build`. */
const crashingEntry = '.tmp/tests-dist/kit/crashingProjectorNodes.main.js';

describe('Cluster mode across real processes', () => {
  let work: string;
  let kafka: KafkaBroker;
  let redis: PrivateRedis;
  let readDb: TestDatabase;
  let storeDb: TestDatabase;
  let readProxy: TcpProxy;
  let store: EventStore;
  let cluster: Cluster;
  const topic = `pt-test-cluster-${randomBytes(4).toString('hex')}`;
  let alice: Session;
  let bob: Session;
  const boards: string[] = [];
  /** A client that goes offline before the faults and returns after them (fault 10). */
  let traveller: BoardFollower;

  const api = (node = 0) => apiClient(cluster.api[node]!.url());
  const opsStatus = async (service: { url(): string }) =>
    (await fetch(`${service.url()}/status`)).json() as Promise<{ role?: string; epoch?: string; state?: string }>;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'pt-cluster-'));
    kafka = await startKafka({ dataDir: path.join(work, 'kafka'), heap: '384m' });
    redis = await startPrivateRedis(await unusedPort());
    readDb = await createTestDatabase('cluster_read');
    storeDb = await createTestDatabase('cluster_store');
    readProxy = await startTcpProxy(5432);
    const readUrl = new URL(readDb.url);
    readUrl.port = String(readProxy.port);
    store = await createSqlEventStore(storeDb.sql, { logger });
    cluster = await startCluster({
      databaseUrl: readUrl.toString(),
      storeUrl: storeDb.url,
      kafkaBrokers: kafka.brokers,
      redisUrl: redis.url,
      topic,
      partitions: 4,
      redisKeyPrefix: `pt:cluster-test:${randomBytes(4).toString('hex')}:`,
      jwtSecret: randomBytes(48).toString('base64url'),
      relayLeaseTtlMs: 2_000,
      logLevel: 'info',
      // These faults crash services on purpose and restart them by hand with fault switches;
      // tests/supervision.e2e.spec.ts covers the supervisor's own restarts.
      supervise: false,
    });

    const front = apiClient(cluster.proxy!.url);
    const register = async (name: string) =>
      (
        await front<Session>('POST', '/api/v1/auth/register', {
          body: { email: `${name}@example.test`, password: `${name} has a long password`, name },
        })
      ).body;
    alice = await register('alice');
    bob = await register('bob');
    for (const name of ['Launch', 'Ops', 'Hiring']) {
      const created = await front<BoardViewDto>('POST', '/api/v1/boards', { token: alice.accessToken, body: { name } });
      expect(created.status).toBe(201);
      boards.push(created.body.board.id);
      const added = await front('POST', `/api/v1/boards/${created.body.board.id}/members`, {
        token: alice.accessToken,
        body: { email: 'bob@example.test', role: 'editor' },
      });
      expect(added.status).toBe(201);
    }
  }, 240_000);

  afterAll(async () => {
    traveller?.disconnect();
    await cluster?.stop();
    await readProxy?.close();
    await store?.close();
    await readDb?.drop();
    await storeDb?.drop();
    await redis?.stop();
    await kafka?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 120_000);

  /** Creates tasks on the boards through alternating command-api nodes; every answer is kept. */
  function writeLoad(perSecond: number) {
    const statuses: number[] = [];
    let n = 0;
    const timer = setInterval(() => {
      const index = n++;
      const boardId = boards[index % boards.length]!;
      void api(index % 2)('POST', `/api/v1/boards/${boardId}/tasks`, {
        token: alice.accessToken,
        body: { title: `load ${index}` },
      }).then(
        (response) => statuses.push(response.status),
        () => statuses.push(0),
      );
    }, 1000 / perSecond);
    return {
      statuses,
      async stop() {
        clearInterval(timer);
        await eventually(async () => statuses.length === n, 'load answered', 30_000);
        return statuses;
      },
    };
  }

  async function storeEvents(): Promise<Envelope[]> {
    const all: Envelope[] = [];
    let after: string | null = null;
    for (;;) {
      const batch = await store.readAll({ after, streamPrefix: boardStreamPrefix, maxCount: 1_000 });
      if (batch.length === 0) return all;
      all.push(...batch.map(toEnvelope));
      after = batch.at(-1)!.position;
    }
  }

  /**
   * Nothing lost, nothing applied twice, order kept: the read models reach the store's revision of
   * every board and then equal a fresh fold of the store row by row; Kafka holds every event, and
   * per partition the first copy of each board's events comes in revision order.
   */
  async function expectConverged(): Promise<{ events: Envelope[]; messages: TopicMessage[] }> {
    // Each board's head from its stream: the feed (readAll) stops below xmin, which any transaction
    // on the PostgreSQL server holds back, so right after the load it can still miss the newest events.
    const heads = new Map<string, number>();
    for (const boardId of new Set((await storeEvents()).map((event) => event.boardId)))
      heads.set(boardId, Number(await store.streamRevision(boardStreamId(boardId))));
    await eventually(
      async () => {
        const rows = await readDb.sql.query<{ board_id: string; last_revision: string }>(
          'SELECT board_id, last_revision FROM projection_checkpoints',
        );
        const projected = new Map(rows.map((row) => [row.board_id, Number(row.last_revision)]));
        return [...heads].every(([boardId, revision]) => projected.get(boardId) === revision);
      },
      'read models caught up with the store',
      90_000,
    );
    // The relay has read up to every head, so xmin has passed them: the feed now holds them all.
    const events = await storeEvents();
    for (const [boardId, revision] of heads)
      expect(events.filter((event) => event.boardId === boardId).at(-1)?.revision).toBe(revision);

    const fresh = await createTestDatabase('cluster_fold');
    try {
      await runMigrations(fresh.sql);
      for (let start = 0; start < events.length; start += 500)
        await applyEnvelopes(fresh.sql, events.slice(start, start + 500));
      expect(
        await compareReadModels({ sql: readDb.sql, schema: 'public' }, { sql: fresh.sql, schema: 'public' }),
      ).toEqual([]);
    } finally {
      await fresh.drop();
    }

    const ids = new Set(events.map((event) => event.id));
    const messages = await readTopic(kafka.brokers, topic, (seen) => {
      const present = new Set(seen.map((message) => message.event.id));
      return [...ids].every((id) => present.has(id));
    });
    const firstCopies = new Map<string, number[]>();
    const seenIds = new Set<string>();
    for (const message of [...messages].sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : 1))) {
      if (seenIds.has(message.event.id)) continue;
      seenIds.add(message.event.id);
      firstCopies.set(message.event.boardId, [
        ...(firstCopies.get(message.event.boardId) ?? []),
        message.event.revision,
      ]);
    }
    for (const [boardId, revisions] of firstCopies) {
      expect(revisions, `board ${boardId} in Kafka`).toEqual(Array.from({ length: revisions.length }, (_, n) => n));
      expect(revisions.length).toBe((heads.get(boardId) ?? -1) + 1);
    }
    return { events, messages };
  }

  it('pushes a write made through command-api node 1 to a client on realtime node 2, with presence across nodes', async () => {
    const boardId = boards[0]!;
    const onNode2 = await eventually(
      () => connectToBoard(cluster.realtime[1]!.url(), bob.accessToken, boardId),
      'bob joins on realtime-2',
    );
    const onNode1 = await eventually(
      () => connectToBoard(cluster.realtime[0]!.url(), alice.accessToken, boardId),
      'alice joins on realtime-1',
    );
    traveller = new BoardFollower(cluster.proxy!.url, () => bob.accessToken, boards[1]!);
    await eventually(() => traveller.connect().then(() => true), 'traveller joins through nginx');
    try {
      const presence = new Promise<PresenceUser[]>((resolve) =>
        onNode1.socket.on('presence', (payload: { boardId: string; users: PresenceUser[] }) => {
          if (payload.users.length === 2) resolve(payload.users);
        }),
      );
      // A real change: an update that changes nothing is not re-broadcast.
      onNode2.socket.emit('presence:update', { boardId, editing: true });
      const created = await api(0)<{ id: string }>('POST', `/api/v1/boards/${boardId}/tasks`, {
        token: alice.accessToken,
        body: { title: 'Across nodes' },
      });
      expect(created.status).toBe(201);
      const revision = Number(/\d+/.exec(created.headers.get('etag') ?? '')?.[0]);
      await onNode2.waitForRevision(revision);
      expect(onNode2.received.find((event) => event.revision === revision)).toMatchObject({
        type: 'TaskCreated',
        data: { taskId: created.body.id },
      });
      expect((await presence).map((user) => user.name).sort()).toEqual(['alice', 'bob']);
    } finally {
      onNode1.close();
      onNode2.close();
    }
    await expectConverged();
    // Fault 10 starts here: this client stays offline through every fault below.
    traveller.disconnect();
  });

  it('fault 4: a relay killed between the Kafka ack and its checkpoint causes duplicates only', async () => {
    // Everything stored so far relayed first, so the crash hits the batch of this test's task, whatever
    // ran before (run alone, the setup's events could still be waiting behind the checkpoint).
    await expectConverged();
    const [leader, standby] = cluster.relays;
    await standby!.stop();
    await leader!.stop();
    const checkpointBefore = (await readDb.sql.query<{ position: string }>('SELECT position FROM checkpoints'))[0]
      ?.position;
    await leader!.restart({}, { entry: crashingEntry });
    let created: { status: number; body: { id: string } };
    try {
      created = await api(1)<{ id: string }>('POST', `/api/v1/boards/${boards[2]}/tasks`, {
        token: alice.accessToken,
        body: { title: 'Acked, not checkpointed' },
      });
      expect(created.status).toBe(201);
      await eventually(async () => !leader!.running(), 'the relay killed itself after the ack');
      expect(leader!.output()).toContain('killing the relay between the Kafka ack and the checkpoint');
      expect((await readDb.sql.query<{ position: string }>('SELECT position FROM checkpoints'))[0]?.position).toBe(
        checkpointBefore,
      );
    } finally {
      // The faults after this one need both relays back, whatever happened here.
      if (leader!.running()) await leader!.stop();
      await leader!.restart();
      await standby!.restart();
    }
    await expectConverged();
    // The batch went out twice: once before the kill, once more from the unchanged checkpoint.
    const isTheTask = (message: TopicMessage) =>
      message.event.type === 'TaskCreated' && (message.event.data as { taskId?: string }).taskId === created.body.id;
    const messages = await readTopic(kafka.brokers, topic, (seen) => seen.filter(isTheTask).length >= 2);
    expect(messages.filter(isTheTask)).toHaveLength(2);
  });

  it('fault 5: a frozen leader relay (SIGSTOP) is replaced by the standby and, woken, stands down; nothing it sent late changes anything', async () => {
    // Whichever relay won the lease after fault 4 leads; the other stands by.
    const leaderIndex = await eventually(async () => {
      const roles = await Promise.all(cluster.relays.map(async (relay) => (await opsStatus(relay)).role));
      const index = roles.indexOf('leader');
      return index >= 0 && roles.filter((role) => role === 'standby').length === 1 ? index : undefined;
    }, 'one relay leads, one stands by');
    const leader = cluster.relays[leaderIndex];
    const standby = cluster.relays[1 - leaderIndex];
    const load = writeLoad(20);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    leader!.pause();
    const takeover = await eventually(
      async () => {
        const status = await opsStatus(standby!);
        return status.role === 'leader' ? status : undefined;
      },
      'the standby took over',
      20_000,
    ).catch(async (error: unknown) => {
      // What the read side's sessions were doing, for the failure's message.
      const sessions = await readDb.sql.query<Record<string, string>>(
        `SELECT application_name, state, wait_event_type, wait_event, left(query, 100) AS query
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      throw new Error(`no takeover; read-side sessions: ${JSON.stringify(sessions)}`, { cause: error });
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    leader!.resume();
    await eventually(
      async () => (await opsStatus(leader!)).role === 'standby',
      'the woken relay stood down',
      20_000,
    ).catch((error: unknown) => {
      // Seen once in a whole-suite run: the woken relay no longer answered. Say what it last logged.
      throw new Error(
        `woken relay: ${JSON.stringify(leader!.status())}; last output:\n${leader!.output().slice(-4_000)}`,
        {
          cause: error,
        },
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const statuses = await load.stop();
    expect(statuses.every((status) => status === 201)).toBe(true);
    const { messages } = await expectConverged();
    // One writer at a time, as the consumers see it. The relay publishes without Kafka transactions
    // (docs/adr/0035-relay-without-kafka-transactions.md), so a batch the old leader had in flight when
    // it froze may land after the new leader's: every such message must carry an event its partition
    // already held (a copy the revision guards drop) or its board's next revision (what the new leader
    // would have sent; expectConverged checked that the first copies run 0, 1, 2, … per board).
    const byPartition = new Map<number, TopicMessage[]>();
    for (const message of messages)
      byPartition.set(message.partition, [...(byPartition.get(message.partition) ?? []), message]);
    for (const list of byPartition.values()) {
      let newestEpoch = 0n;
      const held = new Set<string>();
      const headOf = new Map<string, number>();
      for (const message of list.sort((a, b) => (a.offset < b.offset ? -1 : 1))) {
        const epoch = BigInt(message.epoch ?? '0');
        const { id, boardId, revision } = message.event;
        if (epoch < newestEpoch)
          expect(held.has(id) || revision === (headOf.get(boardId) ?? -1) + 1, `late message ${id}`).toBe(true);
        if (epoch > newestEpoch) newestEpoch = epoch;
        held.add(id);
        headOf.set(boardId, Math.max(headOf.get(boardId) ?? -1, revision));
      }
    }
    // And the new leader did write: messages under its epoch follow the old leader's.
    expect(messages.some((message) => message.epoch === takeover.epoch)).toBe(true);
  });

  it('fault 6: with Kafka stopped for 30 s under write load, commands are still accepted and everything arrives after', async () => {
    const load = writeLoad(10);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await kafka.stop();
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    kafka = await startKafka({
      port: kafka.port,
      controllerPort: kafka.controllerPort,
      dataDir: kafka.dataDir,
      heap: '384m',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const statuses = await load.stop();
    expect(statuses.length).toBeGreaterThan(250);
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    await expectConverged();
  }, 240_000);

  it('fault 7: a projector killed inside a batch transaction, then every message delivered twice, leaves read models equal to a fresh fold', async () => {
    const [projector] = cluster.projectors;
    await projector!.stop();
    await projector!.restart({}, { entry: crashingEntry });
    const load = writeLoad(40);
    try {
      await eventually(async () => !projector!.running(), 'the projector killed itself inside a batch');
      expect(projector!.output()).toContain('killing the projector inside a batch transaction');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      await load.stop();
    }
    await republish(kafka.brokers, topic, await storeEvents());
    await projector!.restart();
    await expectConverged();
    const skipped = /primetrade_projector_events_total\{result="skipped"\} (\d+)/.exec(
      await (await fetch(`${projector!.url()}/metrics`)).text(),
    );
    expect(Number(skipped?.[1] ?? 0)).toBeGreaterThan(0);
  }, 180_000);

  it('fault 8: with Redis stopped, realtime says so and degrades; clients catch up through events?after= when it returns', async () => {
    const boardId = boards[0]!;
    const follower = new BoardFollower(cluster.proxy!.url, () => bob.accessToken, boardId);
    await follower.connect(cluster.realtime[1]!.url());
    await redis.stop();
    await eventually(
      async () => (await fetch(`${cluster.realtime[0]!.url()}/readyz`)).status === 503,
      'realtime /readyz reports Redis down',
    );
    const readiness = (await (await fetch(`${cluster.realtime[0]!.url()}/readyz`)).json()) as {
      checks: Record<string, { ok: boolean }>;
    };
    expect(readiness.checks.redis?.ok).toBe(false);
    const during = writeLoad(10);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await during.stop()).filter((status) => status !== 201)).toEqual([]);
    await redis.start();
    await eventually(
      async () => (await fetch(`${cluster.realtime[0]!.url()}/readyz`)).status === 200,
      'realtime ready again',
    );
    const after = await api(0)('POST', `/api/v1/boards/${boardId}/tasks`, {
      token: alice.accessToken,
      body: { title: 'After Redis' },
    });
    expect(after.status).toBe(201);
    await follower.heal();
    const head = Number(await store.streamRevision(boardStreamId(boardId)));
    await eventually(
      async () => follower.revision === head || (await follower.heal().then(() => false)),
      'the follower caught up',
    );
    expect(follower.applied.map((event) => event.id)).toEqual(
      (await store.readStream(boardStreamId(boardId))).map((event) => event.id),
    );
    follower.disconnect();
    await expectConverged();
  });

  it('fault 9: with the read-side PostgreSQL down, queries fail fast with 503 and commands against the store keep working', async () => {
    const boardId = boards[1]!;
    // Warm the account cache on both nodes, as a user working before the outage would have.
    for (const node of [0, 1])
      expect((await api(node)('GET', `/api/v1/boards/${boardId}`, { token: alice.accessToken })).status).toBe(200);
    readProxy.cut();
    await eventually(
      async () => (await api(0)('GET', `/api/v1/boards/${boardId}`, { token: alice.accessToken })).status === 503,
      'queries answer 503',
      20_000,
    );
    const started = Date.now();
    const query = await api(0)<{ code: string }>('GET', `/api/v1/boards/${boardId}`, { token: alice.accessToken });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(query.status).toBe(503);
    expect(query.body.code).toBe('SERVICE.UNAVAILABLE');
    const accepted = [];
    for (let n = 0; n < 10; n += 1)
      accepted.push(
        (
          await api(n % 2)('POST', `/api/v1/boards/${boardId}/tasks`, {
            token: alice.accessToken,
            body: { title: `while the read side is down ${n}` },
          })
        ).status,
      );
    expect(accepted).toEqual(Array.from({ length: 10 }, () => 201));
    readProxy.restore();
    await expectConverged();
  });

  it('fault 10: the client that was offline through all of that reconnects and ends with exactly the server’s board', async () => {
    const offlineAt = traveller.revision;
    await traveller.connect();
    const boardId = traveller.boardId;
    const stored = await store.readStream(boardStreamId(boardId));
    expect(stored.length - 1).toBeGreaterThan(offlineAt);
    expect(traveller.applied.map((event) => event.id)).toEqual(stored.map((event) => event.id));
    // A 503 right after the read side came back says "retry": a client does.
    const view = await eventually(async () => {
      const response = await apiClient(cluster.proxy!.url)<BoardViewDto>('GET', `/api/v1/boards/${boardId}`, {
        token: bob.accessToken,
      });
      return response.status === 200 ? response : undefined;
    }, 'the board view answers');
    expect(view.body.revision).toBe(traveller.revision);
    expect(view.body.tasks.map((task) => task.id).sort()).toEqual(
      [
        ...new Set(
          traveller.applied
            .filter((event) => event.type === 'TaskCreated')
            .map((event) => (event.data as { taskId: string }).taskId),
        ),
      ].sort(),
    );
  });

  it('rebuilds the read models from the store into fresh tables while the cluster runs, and switches them in', async () => {
    const load = writeLoad(10);
    const rebuild = spawn(process.execPath, [path.join(repoRoot, 'server/dist/projector.main.js'), 'rebuild'], {
      env: { ...cluster.projectors[0]!.spec.env, NODE_NAME: 'rebuild-1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    rebuild.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    rebuild.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => rebuild.once('exit', resolve));
    expect(code, output).toBe(0);
    expect(output).toMatch(/rebuilt \d+ events of \d+ boards/);
    expect((await load.stop()).filter((status) => status !== 201)).toEqual([]);
    await expectConverged();
  });
});
