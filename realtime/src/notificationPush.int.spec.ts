import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NotificationDto } from '@primetrade/domain';
import { createRedisClient, createTestRedis, redisReady, type Redis, type TestRedis } from '@primetrade/platform';
import { createRedisNotificationRooms, pushNotifications, silentLogger } from '@primetrade/projector';
import { createRedisAdapter } from './redisAdapter.js';
import {
  createMembership,
  newUser,
  startRealtime,
  type Client,
  type Harness,
  type TestUser,
} from './realtime.testkit.js';

const notificationFor = (title: string): NotificationDto => ({
  id: randomUUID(),
  kind: 'assigned',
  boardId: randomUUID(),
  taskId: randomUUID(),
  taskTitle: title,
  actorId: randomUUID(),
  actorName: 'Ada',
  summary: `assigned you to “${title}”`,
  createdAt: new Date().toISOString(),
  readAt: null,
});

function received(client: Client): NotificationDto[] {
  const list: NotificationDto[] = [];
  client.on('notification', (payload) => list.push(payload));
  return list;
}

/**
 * Cluster mode: the projector is a separate process without Socket.IO. Its pushes go through a
 * Redis emitter on the realtime nodes' adapter channels; here the emitter has its own Redis
 * connection and no server, so whatever reaches a socket crossed the real Redis.
 */
describe('Notification pushes across realtime nodes over Redis', () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  const nodes: Harness[] = [];
  const membership = createMembership();
  let bob: TestUser;
  let cy: TestUser;

  async function startNode(name: string): Promise<Harness> {
    const pub = createRedisClient({ url: redis.url, name: `${name}-pub` });
    const sub = createRedisClient({ url: redis.url, name: `${name}-sub`, role: 'subscriber' });
    clients.push(pub, sub);
    await Promise.all([redisReady(pub), redisReady(sub)]);
    const node = await startRealtime({
      membership,
      cluster: { adapter: createRedisAdapter(pub, sub, { key: `${redis.prefix}socket.io` }) },
    });
    nodes.push(node);
    return node;
  }

  beforeAll(async () => {
    redis = await createTestRedis('notify');
    await startNode('a');
    await startNode('b');
    await vi.waitFor(async () => expect(await nodes[0]?.server.io.of('/').adapter.serverCount()).toBe(2));
    bob = newUser('Bob');
    cy = newUser('Cy');
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    for (const client of clients) client.disconnect();
    await redis.cleanup();
  });

  it("reaches the user's sockets on every node, and nobody else's, from a process without Socket.IO", async () => {
    const [nodeA, nodeB] = nodes as [Harness, Harness];
    const bobOnA = received(await nodeA.connect(bob));
    const bobOnB = received(await nodeB.connect(bob));
    const cyOnB = received(await nodeB.connect(cy));
    const projectorRedis = createRedisClient({ url: redis.url, name: 'projector-notify' });
    clients.push(projectorRedis);
    await redisReady(projectorRedis);
    const push = pushNotifications(
      createRedisNotificationRooms(projectorRedis, { key: `${redis.prefix}socket.io`, logger: silentLogger }),
    );

    const notification = notificationFor('Write the post');
    push([{ userId: bob.id, notification }]);

    await vi.waitFor(() => {
      expect(bobOnA).toEqual([notification]);
      expect(bobOnB).toEqual([notification]);
    });
    expect(cyOnB).toEqual([]);
  });

  it("reaches the user from a realtime node's own server too (embedded mode's path)", async () => {
    const [nodeA, nodeB] = nodes as [Harness, Harness];
    const cyOnB = received(await nodeB.connect(cy));
    const notification = notificationFor('Ship it');
    pushNotifications(nodeA.server.io)([{ userId: cy.id, notification }]);
    await vi.waitFor(() => expect(cyOnB).toEqual([notification]));
  });
});
