import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { createRedisClient, redisReady, type Redis } from '@primetrade/platform';
import { createRedisAdapter } from '@primetrade/realtime';
import { monotonicMicros, type FanoutCommand, type FanoutReply, type Tick } from './lib/fanoutProtocol.js';

/** A board event as the fan-out sends it (about the size of a real `board:events` batch of one). */
const sampleEvent = {
  type: 'TaskMoved',
  id: '5f0c2a1e-8d7b-4c2a-9a51-0b6f3f6f2d11',
  boardId: '0c8e1d2a-4b5f-4e6a-8c7d-9e0f1a2b3c4d',
  revision: 42,
  position: '0000000000001234:0000000000005678',
  data: {
    taskId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
    toColumnId: '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e',
    index: 3,
  },
  occurredAt: '2026-01-01T12:00:00.000Z',
  actorId: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
  correlationId: '3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a',
  causationId: null,
  schemaVersion: 1,
};

const send = (reply: FanoutReply) => process.send?.(reply);

/**
 * One Socket.IO node for B6, in its own process as a realtime node runs: BENCH_ADAPTER `memory`
 * (default) or `redis` (realtime's `createRedisAdapter` on BENCH_REDIS_URL, channel prefix
 * BENCH_REDIS_KEY). A client joins the room named in its handshake query. Driven over IPC.
 */
async function main(): Promise<void> {
  const redisClients: Redis[] = [];
  let adapter: ServerOptions['adapter'] | undefined;
  if (process.env.BENCH_ADAPTER === 'redis') {
    const url = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const pub = createRedisClient({ url, name: 'bench-b6-pub' });
    const sub = createRedisClient({ url, name: 'bench-b6-sub', role: 'subscriber' });
    redisClients.push(pub, sub);
    await Promise.all([redisReady(pub), redisReady(sub)]);
    adapter = createRedisAdapter(pub, sub, { key: process.env.BENCH_REDIS_KEY ?? 'socket.io' });
  }
  const httpServer = http.createServer();
  const io = new Server(httpServer, { serveClient: false, transports: ['websocket'], ...(adapter ? { adapter } : {}) });
  io.on('connection', (socket) => {
    const room = socket.handshake.query.room;
    if (typeof room === 'string') void socket.join(room);
  });

  /**
   * Fixed rate: emits go out on schedule whatever the deliveries do. Each carries its own send
   * time (the timer's ~1 ms jitter is no part of the fan-out); the answer is the worst lateness
   * against the schedule, in µs, so a node too busy to keep the rate shows.
   */
  async function emit(room: string, sample: number, count: number, ratePerSecond: number): Promise<number> {
    const intervalMicros = 1_000_000 / ratePerSecond;
    const start = monotonicMicros();
    let latest = 0;
    for (let seq = 0; seq < count; seq += 1) {
      const scheduled = start + seq * intervalMicros;
      const wait = (scheduled - monotonicMicros()) / 1000;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const at = monotonicMicros();
      latest = Math.max(latest, at - scheduled);
      const tick: Tick = { sample, seq, at, events: [sampleEvent] };
      io.to(room).emit('tick', tick);
    }
    return Math.round(latest);
  }

  process.on('message', (command: FanoutCommand) => {
    const answer = (value: number) => send({ type: 'done', id: command.id, value });
    if (command.type === 'emit')
      void emit(command.room, command.sample, command.count, command.ratePerSecond).then(answer);
    else if (command.type === 'count')
      void io
        .in(command.room)
        .fetchSockets()
        .then((sockets) => answer(sockets.length));
    else void io.of('/').adapter.serverCount().then(answer);
  });
  process.once('SIGTERM', () => {
    void io.close().then(() => {
      for (const client of redisClients) client.disconnect();
      process.exit(0);
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  send({ type: 'listening', url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` });
}

void main();
