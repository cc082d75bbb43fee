import { randomBytes, randomUUID } from 'node:crypto';
import { createTokenService } from '@primetrade/platform';
import {
  connectClients,
  settle,
  startClientProcess,
  startSocketNode,
  type ClientProcess,
  type SocketNode,
} from './lib/clientProcesses.js';
import { residentBytes } from './lib/cpu.js';
import { log } from './lib/results.js';

const numberFrom = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
/** BENCH_B12_SOCKETS scales it down for a quick run. */
const socketsTotal = numberFrom('BENCH_B12_SOCKETS', 10_000);
/** Each client process holds this many sockets at most (its file descriptors, its event loop). */
const perClientProcess = 2_500;
const usersTotal = Math.ceil(socketsTotal / 10);
const boardsTotal = 100;

export interface SocketMemory {
  readonly label: string;
  readonly sockets: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly bytesPerSocket: number;
  readonly connectSeconds: number;
}

export interface IdleSocketsResult {
  readonly name: string;
  readonly sockets: number;
  readonly baseline: SocketMemory;
  readonly subject: SocketMemory;
  /** Realtime bytes per socket / plain `ws` bytes per socket. */
  readonly ratio: number;
  readonly notes: string;
}

/** Opens `socketsTotal` sockets to `node` from separate processes; memory after garbage collection, before and after. */
async function measure(
  label: string,
  node: SocketNode,
  command: Parameters<typeof connectClients>[1],
): Promise<SocketMemory> {
  const clients: ClientProcess[] = Array.from({ length: Math.ceil(socketsTotal / perClientProcess) }, () =>
    startClientProcess(),
  );
  try {
    await settle(node);
    const rssBeforeBytes = await residentBytes(node.pid);
    const started = performance.now();
    const opened = await connectClients(clients, command, socketsTotal);
    const connectSeconds = (performance.now() - started) / 1000;
    const held = await settle(node);
    if (held !== socketsTotal) throw new Error(`${label}: the server holds ${held} sockets, ${opened} were opened`);
    const rssAfterBytes = await residentBytes(node.pid);
    const bytesPerSocket = (rssAfterBytes - rssBeforeBytes) / socketsTotal;
    log(
      `    ${label}: ${held} sockets in ${connectSeconds.toFixed(1)} s; VmRSS ${(rssBeforeBytes / 2 ** 20).toFixed(1)} → ${(rssAfterBytes / 2 ** 20).toFixed(1)} MiB, ${(bytesPerSocket / 1024).toFixed(1)} KiB per socket`,
    );
    return { label, sockets: held, rssBeforeBytes, rssAfterBytes, bytesPerSocket, connectSeconds };
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
  }
}

/**
 * B12: resident memory per idle socket. Subject: `socketsTotal` authenticated Socket.IO
 * connections on one realtime server (`createRealtimeServer`: token handshake, then a `board:join`
 * as the web client sends, each user on one of 100 boards); baseline: as many connections to a
 * plain `ws` server. Each server in a process of its own (VmRSS before and after, garbage
 * collected), the clients in processes of 2,500 sockets each.
 */
export async function benchIdleSockets(): Promise<IdleSocketsResult> {
  const secret = randomBytes(48).toString('base64url');
  const tokens = createTokenService({ secret, accessTtlSeconds: 3600 });
  const signed = await Promise.all(
    Array.from({ length: usersTotal }, async (_, n) => {
      const { token } = await tokens.signAccess({ id: randomUUID(), name: `user ${n}`, role: 'user' });
      return token;
    }),
  );
  const boardIds = Array.from({ length: boardsTotal }, () => randomUUID());
  log(`  B12: ${socketsTotal} idle sockets per server (${usersTotal} users, 10 sockets each)`);
  const plain = await startSocketNode({ BENCH_SERVER: 'ws' });
  let baseline: SocketMemory;
  try {
    baseline = await measure('plain ws', plain, { kind: 'ws', url: plain.url });
  } finally {
    await plain.stop();
  }
  const realtime = await startSocketNode({ BENCH_SERVER: 'realtime', BENCH_JWT_SECRET: secret });
  let subject: SocketMemory;
  try {
    subject = await measure('realtime (Socket.IO, authenticated, joined)', realtime, {
      kind: 'realtime',
      url: realtime.url,
      tokens: signed,
      boardIds,
    });
  } finally {
    await realtime.stop();
  }
  return {
    name: `B12 ${socketsTotal} idle sockets on one node: resident memory per socket`,
    sockets: socketsTotal,
    baseline,
    subject,
    ratio: subject.bytesPerSocket / baseline.bytesPerSocket,
    notes:
      'realtime: createRealtimeServer with the real token handshake, per-user cap, rooms and presence, in-memory adapter; the read-model membership queries are a stand-in (every user may view every board)',
  };
}
