import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BoardViewDto } from '@primetrade/domain';
import { createTestDatabase, unusedPort, type TestDatabase } from '@primetrade/platform';
import { startCluster, type Cluster } from '../infra/cluster/src/cluster.js';
import type { ServiceProcess } from '../infra/cluster/src/supervisor.js';
import { apiClient, connectToBoard } from './kit/api.js';
import { startPrivateRedis, type PrivateRedis } from './kit/cluster.js';
import { eventually } from './kit/eventually.js';

/**
 * The supervised local cluster behind the real nginx, as `npm run cluster` runs it: one board's
 * requests reach one command-api node (task-only routes too); a node killed with SIGKILL hands its
 * boards to the other, comes back by itself and takes them back; `/readyz` tells meanwhile.
 */
describe('Supervised cluster behind nginx', () => {
  let redis: PrivateRedis;
  let db: TestDatabase;
  let cluster: Cluster;
  let token: string;
  let boardId: string;
  let taskId: string;
  const front = () => apiClient(cluster.proxy!.url);
  /** The command-api node that answered, from nginx's X-Upstream-Addr (local target only). */
  const nodeOf = (headers: Headers) =>
    cluster.api.find((node) => new URL(node.url()).host === headers.get('x-upstream-addr')?.split(',').at(-1)?.trim())
      ?.name;

  beforeAll(async () => {
    redis = await startPrivateRedis(await unusedPort());
    db = await createTestDatabase('supervision');
    cluster = await startCluster({
      databaseUrl: db.url,
      kafkaBrokers: inject('kafkaBrokers').split(','),
      redisUrl: redis.url,
      topic: `pt-test-supervision-${randomBytes(4).toString('hex')}`,
      partitions: 2,
      redisKeyPrefix: `pt:supervision-test:${randomBytes(4).toString('hex')}:`,
      jwtSecret: randomBytes(48).toString('base64url'),
      relays: 1,
      realtimeNodes: 1,
      // Services say they are up in an info line.
      logLevel: 'info',
    });
    const registered = await front()<{ accessToken: string }>('POST', '/api/v1/auth/register', {
      body: { email: 'sam@example.test', password: 'sam has a long password', name: 'sam' },
    });
    token = registered.body.accessToken;
    const board = await front()<BoardViewDto>('POST', '/api/v1/boards', { token, body: { name: 'Affine' } });
    boardId = board.body.board.id;
    const task = await front()<{ id: string }>('POST', `/api/v1/boards/${boardId}/tasks`, {
      token,
      body: { title: 'First' },
    });
    expect(task.status).toBe(201);
    taskId = task.body.id;
    // A task URL finds its board through the read model, or the cache of the node that wrote it:
    // until the projection has the task, a lookup on the other node hashes on the task id.
    await eventually(
      async () => {
        const list = await front()<{ items: { id: string }[] }>('GET', '/api/v1/tasks?q=First', { token });
        return list.body.items.some((one) => one.id === taskId);
      },
      'the task projected',
      60_000,
    );
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    await db?.drop();
    await redis?.stop();
  }, 120_000);

  const ownerOfBoard = async () => {
    const served = new Set<string | undefined>();
    for (const path of [
      `/api/v1/boards/${boardId}`,
      `/api/v1/boards/${boardId}/tasks`,
      `/api/v1/tasks/${taskId}`,
      `/api/v1/tasks/${taskId}/history`,
      `/api/v1/tasks/${taskId}/comments`,
    ]) {
      const response = await front()('GET', path, { token });
      expect(response.status, path).toBe(200);
      served.add(nodeOf(response.headers));
    }
    return served;
  };

  it('sends every request of a board, task-only routes included, to one command-api node', async () => {
    const served = await ownerOfBoard();
    expect([...served]).toHaveLength(1);
    expect([...served][0]).toMatch(/^api-\d$/);
    const comment = await front()('POST', `/api/v1/tasks/${taskId}/comments`, { token, body: { body: 'affine' } });
    expect(comment.status).toBe(201);
    expect(nodeOf(comment.headers)).toBe([...served][0]);
  });

  it('moves the board to the other node when its node is killed, restarts the node by itself, and moves the board back', async () => {
    const [ownerName] = await ownerOfBoard();
    const owner = cluster.api.find((node) => node.name === ownerName) as ServiceProcess;
    const back = owner.nextStart();
    await owner.kill();
    const during = await front()<{ id: string }>('POST', `/api/v1/boards/${boardId}/tasks`, {
      token,
      body: { title: 'While the owner is down' },
    });
    expect(during.status).toBe(201);
    expect(nodeOf(during.headers)).not.toBe(ownerName);
    await back;
    expect(owner.status()).toMatchObject({ state: 'running', restarts: 1, lastExit: { signal: 'SIGKILL' } });
    await eventually(async () => (await fetch(`${cluster.proxy!.url}/readyz`)).status === 200, '/readyz ready again');
    await eventually(
      async () => {
        const served = await ownerOfBoard();
        return served.size === 1 && served.has(ownerName);
      },
      'the board back on its node',
      20_000,
    );
  }, 60_000);

  it('restarts a SIGKILLed projector, and the read model moves on', async () => {
    const projector = cluster.projectors[0]!;
    const back = projector.nextStart();
    await projector.kill();
    const status = await fetch(`${cluster.proxy!.url}/readyz`);
    expect(status.status).toBe(503);
    expect(
      ((await status.json()) as { notRunning: { name: string }[] }).notRunning.map((service) => service.name),
    ).toEqual(['projector-1']);
    const created = await front()<{ id: string }>('POST', `/api/v1/boards/${boardId}/tasks`, {
      token,
      body: { title: 'Projected after the restart' },
    });
    expect(created.status).toBe(201);
    await back;
    await eventually(async () => {
      const list = await front()<{ items: { id: string }[] }>('GET', '/api/v1/tasks?q=restart', { token });
      return list.body.items.some((task) => task.id === created.body.id);
    }, 'the task in the read model');
  }, 60_000);

  it("upgrades to a websocket through nginx and pushes the board's events", async () => {
    const socket = await connectToBoard(cluster.proxy!.url, token, boardId);
    try {
      const created = await front()('POST', `/api/v1/boards/${boardId}/tasks`, { token, body: { title: 'Pushed' } });
      await socket.waitForRevision(Number(/\d+/.exec(created.headers.get('etag') ?? '')?.[0]));
    } finally {
      socket.close();
    }
  });
});
