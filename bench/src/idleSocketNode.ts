import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createLogger, createTokenService } from '@primetrade/platform';
import { createRealtimeServer } from '@primetrade/realtime';
import type { NodeCommand, NodeReply } from './lib/socketProtocol.js';

const send = (reply: NodeReply) => process.send?.(reply);

/**
 * One socket server for B12, in a process of its own so that its resident memory is its own:
 * BENCH_SERVER `realtime` — the realtime node's `createRealtimeServer` (token handshake, per-user
 * socket cap, rooms, presence, in-memory adapter) with a stand-in for the read model's membership
 * queries (every user may view every board) — or `ws`, a plain `ws` server that only accepts.
 * Run with --expose-gc: memory is read after collecting garbage.
 */
async function main(): Promise<void> {
  const httpServer = http.createServer();
  let count: () => number;
  if (process.env.BENCH_SERVER === 'realtime') {
    const realtime = createRealtimeServer({
      httpServer,
      tokens: createTokenService({ secret: process.env.BENCH_JWT_SECRET ?? '', accessTtlSeconds: 3600 }),
      membership: {
        roleOf: async () => 'viewer',
        revisionOf: async () => 0,
        standingOf: async () => ({ role: 'viewer', revision: 0 }),
      },
      logger: createLogger({ level: 'silent' }),
      maxSocketsPerUser: Number(process.env.BENCH_MAX_SOCKETS_PER_USER ?? 20),
    });
    count = () => realtime.io.engine.clientsCount;
  } else {
    const wss = new WebSocketServer({ server: httpServer });
    count = () => wss.clients.size;
  }
  process.on('message', (command: NodeCommand) => {
    const collect = (globalThis as { gc?: () => void }).gc;
    collect?.();
    collect?.();
    // Let finalizers and freed pages settle before the parent reads VmRSS.
    setTimeout(() => send({ type: 'settled', id: command.id, sockets: count() }), 500);
  });
  process.once('SIGTERM', () => process.exit(0));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  send({ type: 'listening', url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` });
}

void main();
