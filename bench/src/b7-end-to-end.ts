import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import type { Envelope } from '@primetrade/domain';
import { createTestDatabase } from '@primetrade/platform';
import { startKafka } from '../../infra/kafka/kafka.mjs';
import { startCluster } from '../../infra/cluster/dist/cluster.js';
import { entryPoint } from './lib/entryPoint.js';
import { median } from './lib/measure.js';
import { log } from './lib/results.js';
import { fetchJson } from './lib/fetchJson.js';

const clientsTotal = 200;
const boardsTotal = 25;
const ratePerSecond = 50;
const windowMs = 10_000;

export interface EndToEndLatency {
  readonly label: string;
  readonly commands: number;
  readonly deliveries: number;
  readonly missing: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface EndToEndResult {
  readonly name: string;
  /** `nodes`: clients talk to the API and realtime nodes directly; `entry point`: through the cluster's proxy. */
  readonly via: 'nodes' | 'entry point';
  readonly pairs: number;
  readonly clients: number;
  readonly boards: number;
  readonly ratePerSecond: number;
  readonly baseline: EndToEndLatency[];
  readonly subject: EndToEndLatency[];
  /** Median over pairs of subject p50 / baseline p50 (lower is better; 1 = no cost over the short circuit). */
  readonly medianP50Ratio: number;
  readonly subjectMedian: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly baselineMedian: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly goal: string;
}

interface Target {
  /** Sends one command for `board` carrying `marker`; resolves when the HTTP answer arrived. */
  send(boardIndex: number, marker: string): Promise<void>;
  /** Every socket that should receive the event of `board`. */
  readonly sockets: Socket[][];
}

/** Fixed-rate commands; latency = scheduled send → each socket of that board receiving the event. */
async function measure(label: string, target: Target): Promise<EndToEndLatency> {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const pending = new Map<string, { at: number; left: number }>();
  let deliveries = 0;
  const listeners: (() => void)[] = [];
  target.sockets.forEach((sockets) => {
    for (const socket of sockets) {
      const onEvents = (payload: { events: Envelope[] }) => {
        const now = performance.now();
        for (const event of payload.events) {
          const marker = (event.data as { title?: string }).title;
          const entry = marker ? pending.get(marker) : undefined;
          if (!entry) continue;
          histogram.recordValue(Math.max(1, Math.round((now - entry.at) * 1000)));
          deliveries += 1;
          entry.left -= 1;
          if (entry.left === 0) pending.delete(marker!);
        }
      };
      socket.on('board:events', onEvents);
      listeners.push(() => socket.off('board:events', onEvents));
    }
  });
  const total = Math.floor((windowMs / 1000) * ratePerSecond);
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  const sends: Promise<void>[] = [];
  const run = randomBytes(3).toString('hex');
  for (let i = 0; i < total; i += 1) {
    const scheduled = start + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const board = i % boardsTotal;
    const marker = `b7-${run}-${i}`;
    pending.set(marker, { at: scheduled, left: target.sockets[board]!.length });
    sends.push(target.send(board, marker).catch(() => undefined));
  }
  await Promise.all(sends);
  const deadline = performance.now() + 10_000;
  while (pending.size > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const off of listeners) off();
  const missing = [...pending.values()].reduce((sum, entry) => sum + entry.left, 0);
  const ms = (percentile: number) => histogram.getValueAtPercentile(percentile) / 1000;
  return { label, commands: total, deliveries, missing, p50: ms(50), p95: ms(95), p99: ms(99) };
}

const socketsReady = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });

/** The short circuit: an HTTP handler that emits straight to the room (no store, no Kafka). */
async function startShortCircuit(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { boardId, title } = JSON.parse(body) as { boardId: string; title: string };
      ioServer
        .to(`board:${boardId}`)
        .emit('board:events', { boardId, events: [{ type: 'TaskCreated', data: { title }, boardId, revision: 0 }] });
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  const ioServer = new Server(server, { transports: ['websocket'] });
  ioServer.on('connection', (socket) =>
    socket.on('board:join', ({ boardId }: { boardId: string }, ack: (value: unknown) => void) => {
      void socket.join(`board:${boardId}`);
      ack({ ok: true });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await ioServer.close();
    },
  };
}

async function joinAll(urls: readonly string[], token: string, boardIds: readonly string[]): Promise<Socket[][]> {
  const perBoard = clientsTotal / boardsTotal;
  const sockets: Socket[][] = [];
  for (const [index, boardId] of boardIds.entries()) {
    const group: Socket[] = [];
    for (let n = 0; n < perBoard; n += 1) {
      const socket = connect(urls[(index * perBoard + n) % urls.length], {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
      });
      await socketsReady(socket);
      const ack = (await socket.timeout(10_000).emitWithAck('board:join', { boardId })) as { ok: boolean };
      if (!ack.ok) throw new Error(`board:join refused: ${JSON.stringify(ack)}`);
      group.push(socket);
    }
    sockets.push(group);
  }
  return sockets;
}

/**
 * B7, the product figure: client A's command → client B's socket receives the event, with 200
 * connected clients over 25 boards at 50 commands/s, through the whole cluster (command-api ×2 →
 * PostgreSQL store → relay → Kafka → realtime ×2 with the Redis adapter), interleaved with a
 * short circuit in the same run (an HTTP handler that emits straight to the room).
 */
export async function benchEndToEnd(pairs: number, via: EndToEndResult['via'] = 'nodes'): Promise<EndToEndResult> {
  const work = await mkdtemp(path.join(tmpdir(), 'pt-b7-'));
  const cleanup: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })];
  const all: Socket[] = [];
  try {
    const kafka = await startKafka({ dataDir: path.join(work, 'kafka'), heap: '384m' });
    cleanup.unshift(() => kafka.stop());
    const database = await createTestDatabase('b7');
    cleanup.unshift(() => database.drop());
    // The event store in a database of its own, as `npm run cluster` runs it (ADR 0030).
    const store = await createTestDatabase('b7_store');
    cleanup.unshift(() => store.drop());
    const shortCircuit = await startShortCircuit();
    cleanup.unshift(() => shortCircuit.close());
    const cluster = await startCluster({
      databaseUrl: database.url,
      storeUrl: store.url,
      kafkaBrokers: kafka.brokers,
      redisUrl: 'redis://127.0.0.1:6379',
      topic: `pt-bench-b7-${randomBytes(4).toString('hex')}`,
      partitions: 8,
      redisKeyPrefix: `pt:bench-b7:${randomBytes(4).toString('hex')}:`,
      jwtSecret: randomBytes(48).toString('base64url'),
      ...(via === 'nodes' ? { proxyPort: null } : {}),
      // The services announce readiness at info level.
      logLevel: 'info',
      env: { RATE_LIMIT_API_PER_MINUTE: '100000000', PG_POOL_MAX: '10', REALTIME_MAX_SOCKETS_PER_USER: '1000' },
    });
    cleanup.unshift(() => cluster.stop());
    // Through the entry point, every request and socket goes where the proxy sends it.
    const apiUrls = via === 'nodes' ? cluster.api.map((node) => node.url()) : [entryPoint(cluster)];
    const realtimeUrls = via === 'nodes' ? cluster.realtime.map((node) => node.url()) : [entryPoint(cluster)];
    const register = async (name: string) =>
      (
        await fetchJson<{ accessToken: string }>(`${apiUrls[0]}/api/v1/auth/register`, 'POST', {
          email: `${name}@bench.test`,
          password: `${name} password for the bench`,
          name,
        })
      ).body.accessToken;
    const writer = await register('writer');
    const reader = await register('reader');
    const boardIds: string[] = [];
    for (let n = 0; n < boardsTotal; n += 1) {
      const created = await fetchJson<{ board: { id: string } }>(
        `${apiUrls[0]}/api/v1/boards`,
        'POST',
        { name: `Board ${n}` },
        writer,
      );
      boardIds.push(created.body.board.id);
      await fetchJson(
        `${apiUrls[0]}/api/v1/boards/${created.body.board.id}/members`,
        'POST',
        { email: 'reader@bench.test', role: 'viewer' },
        writer,
      );
    }
    // Membership reaches the read models a moment later; join once it has.
    let clusterSockets: Socket[][] | null = null;
    for (let attempt = 0; clusterSockets === null; attempt += 1) {
      try {
        clusterSockets = await joinAll(realtimeUrls, reader, boardIds);
      } catch (error) {
        if (attempt > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const circuitSockets = await joinAll([shortCircuit.url], reader, boardIds);
    all.push(...clusterSockets.flat(), ...circuitSockets.flat());
    log(`  B7: ${clientsTotal} clients on ${boardsTotal} boards, cluster and short circuit connected`);

    const clusterTarget: Target = {
      sockets: clusterSockets,
      async send(board, marker) {
        const response = await fetch(`${apiUrls[board % apiUrls.length]}/api/v1/boards/${boardIds[board]}/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
          body: JSON.stringify({ title: marker }),
        });
        await response.arrayBuffer();
      },
    };
    const circuitTarget: Target = {
      sockets: circuitSockets,
      async send(board, marker) {
        const response = await fetch(`${shortCircuit.url}/command`, {
          method: 'POST',
          body: JSON.stringify({ boardId: boardIds[board], title: marker }),
        });
        await response.arrayBuffer();
      },
    };
    // Warm both paths (JIT, pools, Kafka metadata) before measuring.
    await measure('warm-up', clusterTarget);
    const baseline: EndToEndLatency[] = [];
    const subject: EndToEndLatency[] = [];
    for (let pair = 0; pair < pairs; pair += 1) {
      baseline.push(await measure('short circuit', circuitTarget));
      subject.push(await measure('cluster', clusterTarget));
      const [b, s] = [baseline.at(-1)!, subject.at(-1)!];
      log(
        `  B7 pair ${pair + 1}/${pairs}: short circuit p50 ${b.p50.toFixed(2)} ms p99 ${b.p99.toFixed(2)} ms; cluster p50 ${s.p50.toFixed(2)} ms p99 ${s.p99.toFixed(2)} ms (${s.deliveries} deliveries, ${s.missing} missing)`,
      );
    }
    const medians = (list: EndToEndLatency[]) => ({
      p50: median(list.map((l) => l.p50)),
      p95: median(list.map((l) => l.p95)),
      p99: median(list.map((l) => l.p99)),
    });
    return {
      name: `B7 end to end: command → other users’ sockets (via ${via})`,
      via,
      pairs,
      clients: clientsTotal,
      boards: boardsTotal,
      ratePerSecond,
      baseline,
      subject,
      medianP50Ratio: median(subject.map((s, n) => s.p50 / baseline[n]!.p50)),
      subjectMedian: medians(subject),
      baselineMedian: medians(baseline),
      goal: 'p50 ≤ 25 ms, p99 ≤ 80 ms at 50 commands/s with 200 clients over 25 boards',
    };
  } finally {
    for (const socket of all) socket.close();
    for (const step of cleanup) await step().catch(() => undefined);
  }
}
