import { randomUUID } from 'node:crypto';
import { connectClients, spawnNode, startClientProcess, type ClientProcess } from './lib/clientProcesses.js';
import type { FanoutCommand, FanoutReply } from './lib/fanoutProtocol.js';
import {
  createLatencyHistogram,
  interleaved,
  pairedRatio,
  recordMs,
  summarize,
  type LatencyHistogram,
  type LatencySummary,
  type RatioResult,
} from './lib/measure.js';
import { log } from './lib/results.js';
import type { ClientReply } from './lib/socketProtocol.js';

const numberFrom = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const bigRoom = numberFrom('BENCH_B13_SOCKETS', 1000);
const smallRoom = 100;
const emitsPerSample = 50;
const ratePerSecond = 5;
const clientProcesses = 2;
/** After the last emit, how long deliveries may still arrive before the rest count as lost. */
const drainMs = 3_000;

export interface BroadcastResult {
  readonly p50: RatioResult;
  readonly p99: RatioResult;
  readonly rooms: { readonly small: number; readonly big: number };
  readonly emitsPerSample: number;
  readonly ratePerSecond: number;
  readonly baseline: LatencySummary;
  readonly subject: LatencySummary;
  readonly lost: number;
}

/** B6's Socket.IO node (`fanoutNode.ts`, in-memory adapter) driven over IPC: emits on schedule, answers when done. */
async function startFanoutNode() {
  const child = spawnNode('fanoutNode.js', { BENCH_ADAPTER: 'memory' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (reply: FanoutReply) => (reply.type === 'listening' ? resolve(reply.url) : undefined));
    void exited.then(() => reject(new Error('B13: the fan-out node exited')));
  });
  let nextId = 0;
  const request = (command: FanoutCommand) =>
    new Promise<number>((resolve) => {
      const onMessage = (reply: FanoutReply) => {
        if (reply.type !== 'done' || reply.id !== command.id) return;
        child.off('message', onMessage);
        resolve(reply.value);
      };
      child.on('message', onMessage);
      child.send(command);
    });
  return {
    url,
    emit: (room: string, sample: number) =>
      request({ type: 'emit', id: (nextId += 1), room, sample, count: emitsPerSample, ratePerSecond }),
    count: (room: string) => request({ type: 'count', id: (nextId += 1), room }),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

type Collected = Extract<ClientReply, { type: 'collected' }>;

/**
 * B13: one emit to a room → each socket's receipt, a room of `bigRoom` sockets against the same
 * broadcast to a room of 100 (interleaved samples, same node, same client processes). One
 * Socket.IO node with the in-memory adapter in a process of its own; the clients in two more.
 */
export async function benchBroadcast(pairs: number): Promise<BroadcastResult> {
  const node = await startFanoutNode();
  const clients: ClientProcess[] = Array.from({ length: clientProcesses }, () => startClientProcess());
  try {
    const rooms = { small: `board:${randomUUID()}`, big: `board:${randomUUID()}` };
    await connectClients(clients, { kind: 'fanout', url: node.url, room: rooms.small }, smallRoom);
    await connectClients(clients, { kind: 'fanout', url: node.url, room: rooms.big }, bigRoom);
    if ((await node.count(rooms.big)) !== bigRoom || (await node.count(rooms.small)) !== smallRoom)
      throw new Error('B13: the rooms do not hold the sockets that joined them');
    log(
      `  B13: rooms of ${smallRoom} and ${bigRoom} sockets, ${emitsPerSample} emits at ${ratePerSecond}/s per sample`,
    );
    const pooled = { small: createLatencyHistogram(), big: createLatencyHistogram() };
    let sampleId = 0;
    let lost = 0;
    const sample = async (room: string, size: number, into: LatencyHistogram): Promise<LatencySummary> => {
      const id = (sampleId += 1);
      await Promise.all(
        clients.map((client) => client.request({ type: 'record', sample: id }, (r) => r.type === 'recording')),
      );
      await node.emit(room, id);
      await new Promise((resolve) => setTimeout(resolve, drainMs));
      const replies = await Promise.all(
        clients.map((client) =>
          client.request({ type: 'collect' }, (reply): reply is Collected => reply.type === 'collected'),
        ),
      );
      const histogram = createLatencyHistogram();
      let received = 0;
      for (const reply of replies)
        for (const micros of reply.micros) {
          received += 1;
          for (const target of [histogram, into]) recordMs(target, micros / 1000);
        }
      lost += emitsPerSample * size - received;
      return summarize(histogram);
    };
    const samples = { small: [] as LatencySummary[], big: [] as LatencySummary[] };
    const run = (which: 'small' | 'big') => async () => {
      const summary = await sample(rooms[which], which === 'small' ? smallRoom : bigRoom, pooled[which]);
      samples[which].push(summary);
      return summary.p50;
    };
    const p50 = await interleaved({
      name: `B13 broadcast to ${bigRoom} sockets in one room vs ${smallRoom}, p50`,
      unit: 'ms',
      pairs,
      log,
      baseline: { label: `room of ${smallRoom}`, run: run('small') },
      subject: { label: `room of ${bigRoom}`, run: run('big') },
    });
    const p99 = pairedRatio({
      name: `B13 broadcast to ${bigRoom} sockets in one room vs ${smallRoom}, p99`,
      unit: 'ms',
      baseline: { label: p50.baseline.label, samples: samples.small.map((s) => s.p99) },
      subject: { label: p50.subject.label, samples: samples.big.map((s) => s.p99) },
    });
    if (lost > 0) log(`  B13 warning: ${lost} deliveries did not arrive in time`);
    return {
      p50,
      p99,
      rooms: { small: smallRoom, big: bigRoom },
      emitsPerSample,
      ratePerSecond,
      baseline: summarize(pooled.small),
      subject: summarize(pooled.big),
      lost,
    };
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
    await node.stop();
  }
}
