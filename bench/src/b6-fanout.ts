import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { createTestRedis } from '@primetrade/platform';
import { monotonicMicros, type FanoutCommand, type FanoutReply, type Tick } from './lib/fanoutProtocol.js';
import {
  createLatencyHistogram,
  interleaved,
  medianDifference,
  recordMs,
  summarize,
  type LatencyHistogram,
  type LatencySummary,
  type RatioResult,
} from './lib/measure.js';
import { log } from './lib/results.js';

const clientCount = 100;
const emitsPerSample = 200;
const ratePerSecond = 40;
/** After the last emit, how long deliveries may still arrive before the rest count as lost. */
const drainMs = 3_000;

interface FanoutNode {
  readonly url: string;
  /** Resolves with the worst lateness of an emit against its schedule, in µs. */
  emit(room: string, sample: number): Promise<number>;
  count(room: string): Promise<number>;
  servers(): Promise<number>;
  close(): Promise<void>;
}

/** A Socket.IO node in a child process of its own (`fanoutNode.ts`), driven over IPC. */
async function startNode(env: Readonly<Record<string, string>>): Promise<FanoutNode> {
  const child = fork(path.join(import.meta.dirname, 'fanoutNode.js'), [], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (value: number) => void>();
  let nextId = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (message) => {
      const reply = message as FanoutReply;
      if (reply.type === 'listening') resolve(reply.url);
      else {
        pending.get(reply.id)?.(reply.value);
        pending.delete(reply.id);
      }
    });
    void exited.then(() => reject(new Error(`B6: a fan-out node exited (${child.exitCode ?? child.signalCode})`)));
  });
  const request = (command: FanoutCommand) =>
    new Promise<number>((resolve) => {
      pending.set(command.id, resolve);
      child.send(command);
    });
  return {
    url,
    emit: (room, sample) =>
      request({ type: 'emit', id: (nextId += 1), room, sample, count: emitsPerSample, ratePerSecond }),
    count: (room) => request({ type: 'count', id: (nextId += 1), room }),
    servers: () => request({ type: 'servers', id: (nextId += 1) }),
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The sample in progress: clients record only its ticks. */
interface ActiveSample {
  readonly id: number;
  readonly histogram: LatencyHistogram;
  readonly pooled: LatencyHistogram;
  received: number;
}

/** `pooledHere` gathers, over every sample, the deliveries of this client's node alone. */
function connectClient(
  url: string,
  room: string,
  active: () => ActiveSample | null,
  pooledHere: LatencyHistogram,
): Promise<Socket> {
  const socket = connect(url, { transports: ['websocket'], query: { room }, forceNew: true, reconnection: false });
  socket.on('tick', (tick: Tick) => {
    const receivedAt = monotonicMicros();
    const sample = active();
    if (sample?.id !== tick.sample) return;
    sample.received += 1;
    const ms = (receivedAt - tick.at) / 1000;
    for (const histogram of [sample.histogram, sample.pooled, pooledHere]) recordMs(histogram, ms);
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`B6: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface FanoutBench {
  readonly p50: RatioResult;
  readonly clients: number;
  readonly emitsPerSample: number;
  readonly ratePerSecond: number;
  readonly baseline: LatencySummary;
  readonly subject: LatencySummary;
  /** The subject's deliveries split by node: the emitting node's own clients, and node B's (through Redis). */
  readonly subjectByNode: { readonly emittingNode: LatencySummary; readonly otherNode: LatencySummary };
  /** Median over the pairs of (Redis p50 − in-memory p50), ms. */
  readonly addedP50Ms: number;
  readonly lost: number;
  readonly worstEmitLatenessMs: number;
}

/**
 * B6: one emit to a room of `clientCount` websocket clients → each client's receipt. Subject: the
 * Redis adapter across two nodes (half the clients on each, emits on node A); baseline: the
 * in-memory adapter on one node with all the clients. Nodes run in processes of their own; the
 * clients share this one.
 */
export async function benchFanout(pairs: number): Promise<FanoutBench> {
  const redis = await createTestRedis('bench-b6');
  const room = `board:${randomUUID()}`;
  const sockets: Socket[] = [];
  const nodes: FanoutNode[] = [];
  const start = async (env: Readonly<Record<string, string>>) => {
    const node = await startNode(env);
    nodes.push(node);
    return node;
  };
  try {
    const redisEnv = {
      BENCH_ADAPTER: 'redis',
      BENCH_REDIS_URL: redis.url,
      BENCH_REDIS_KEY: `${redis.prefix}socket.io`,
    };
    const [memory, nodeA, nodeB] = [
      await start({ BENCH_ADAPTER: 'memory' }),
      await start(redisEnv),
      await start(redisEnv),
    ];
    await until(
      async () => (await nodeA.servers()) === 2 && (await nodeB.servers()) === 2,
      'both Redis-adapter nodes to see each other',
    );
    let active: ActiveSample | null = null;
    const byNode = { memory: createLatencyHistogram(), a: createLatencyHistogram(), b: createLatencyHistogram() };
    const connectAll = async (targets: readonly { url: string; pooled: LatencyHistogram }[]) => {
      for (let n = 0; n < clientCount; n += 1) {
        const target = targets[n % targets.length]!;
        sockets.push(await connectClient(target.url, room, () => active, target.pooled));
      }
    };
    await connectAll([{ url: memory.url, pooled: byNode.memory }]);
    await connectAll([
      { url: nodeA.url, pooled: byNode.a },
      { url: nodeB.url, pooled: byNode.b },
    ]);
    await until(
      async () => (await memory.count(room)) === clientCount && (await nodeA.count(room)) === clientCount,
      `${clientCount} clients in the room on each setup`,
    );

    const pooled = { baseline: createLatencyHistogram(), subject: createLatencyHistogram() };
    let sampleId = 0;
    let lost = 0;
    let worstLateness = 0;
    const sample = async (node: FanoutNode, into: LatencyHistogram): Promise<number> => {
      const current: ActiveSample = {
        id: (sampleId += 1),
        histogram: createLatencyHistogram(),
        pooled: into,
        received: 0,
      };
      active = current;
      worstLateness = Math.max(worstLateness, await node.emit(room, current.id));
      const expected = emitsPerSample * clientCount;
      const deadline = performance.now() + drainMs;
      while (current.received < expected && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      active = null;
      lost += expected - current.received;
      return summarize(current.histogram).p50;
    };
    log(`  B6: ${clientCount} clients, ${emitsPerSample} emits at ${ratePerSecond}/s per sample`);
    const p50 = await interleaved({
      name: `B6 fan-out to ${clientCount} clients, p50`,
      unit: 'ms',
      pairs,
      log,
      goal: 'Redis adapter adds ≤ 2 ms p50',
      baseline: { label: 'in-memory, 1 node', run: () => sample(memory, pooled.baseline) },
      subject: { label: 'Redis adapter, 2 nodes', run: () => sample(nodeA, pooled.subject) },
    });
    if (lost > 0) log(`  B6 warning: ${lost} deliveries did not arrive within ${drainMs} ms of the last emit`);
    return {
      p50,
      clients: clientCount,
      emitsPerSample,
      ratePerSecond,
      baseline: summarize(pooled.baseline),
      subject: summarize(pooled.subject),
      subjectByNode: { emittingNode: summarize(byNode.a), otherNode: summarize(byNode.b) },
      addedP50Ms: medianDifference(p50),
      lost,
      worstEmitLatenessMs: worstLateness / 1000,
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
    for (const node of nodes) await node.close();
    await redis.cleanup();
  }
}
