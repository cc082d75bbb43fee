import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import kafkajs from 'kafkajs';
import type { Envelope } from '@primetrade/domain';
import { io, type Socket } from 'socket.io-client';
import { apiClient } from './api.js';

/** A private redis-server on its own port that a test can stop and start again (fault 8). */
export interface PrivateRedis {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export async function startPrivateRedis(port: number): Promise<PrivateRedis> {
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let attempt = 0; attempt < 100 && !(await answers(port)); attempt += 1)
      await new Promise((r) => setTimeout(r, 50));
    if (!(await answers(port))) throw new Error(`redis-server did not start on ${port}`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
  };
}

export interface TopicMessage {
  readonly partition: number;
  readonly offset: bigint;
  readonly event: Envelope;
  readonly epoch: string | undefined;
}

/** Everything committed to a topic, read by a fresh consumer group (read committed, like the services). */
export async function readTopic(
  brokers: readonly string[],
  topic: string,
  until: (messages: readonly TopicMessage[]) => boolean,
  timeoutMs = 60_000,
): Promise<TopicMessage[]> {
  const kafka = new kafkajs.Kafka({
    clientId: 'topic-reader',
    brokers: [...brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `reader-${Date.now()}-${Math.random().toString(16).slice(2)}`,
    maxWaitTimeInMs: 200,
  });
  const messages: TopicMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        messages.push({
          partition,
          offset: BigInt(message.offset),
          event: JSON.parse(message.value?.toString() ?? 'null') as Envelope,
          epoch: message.headers?.['relay-epoch']?.toString(),
        });
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!until(messages)) {
      if (Date.now() > deadline) throw new Error(`topic ${topic}: condition not met with ${messages.length} messages`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Let anything still in flight arrive (duplicates are what some faults are about).
    await new Promise((r) => setTimeout(r, 1_000));
    return [...messages];
  } finally {
    await consumer.disconnect();
  }
}

/** Writes raw copies of messages back to the topic (fault 7: every message delivered twice). */
export async function republish(brokers: readonly string[], topic: string, events: readonly Envelope[]): Promise<void> {
  const kafka = new kafkajs.Kafka({
    clientId: 'duplicator',
    brokers: [...brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let start = 0; start < events.length; start += 500) {
      await producer.send({
        topic,
        acks: -1,
        messages: events
          .slice(start, start + 500)
          .map((event) => ({ key: event.boardId, value: JSON.stringify(event) })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * A client that follows a board by the protocol's rule (docs/api.md): apply `revision === mine + 1`,
 * ignore `<= mine`, and on a gap or after a reconnect fetch `events?after=mine`.
 */
export class BoardFollower {
  readonly applied: Envelope[] = [];
  private socket: Socket | null = null;
  private healing: Promise<void> | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly token: () => string,
    readonly boardId: string,
  ) {}

  get revision(): number {
    return this.applied.at(-1)?.revision ?? -1;
  }

  async connect(socketUrl = this.baseUrl): Promise<void> {
    const socket = io(socketUrl, { auth: { token: this.token() }, transports: ['websocket'], reconnection: false });
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.on('board:events', (payload: { boardId: string; events: Envelope[] }) => {
      if (payload.boardId === this.boardId) this.receive(payload.events);
    });
    const ack = (await socket
      .timeout(5_000)
      .emitWithAck(
        'board:join',
        this.revision >= 0 ? { boardId: this.boardId, afterRevision: this.revision } : { boardId: this.boardId },
      )) as { ok: boolean; revision?: number };
    if (!ack.ok) throw new Error(`board:join refused: ${JSON.stringify(ack)}`);
    await this.heal();
  }

  disconnect(): void {
    this.socket?.close();
    this.socket = null;
  }

  private receive(events: readonly Envelope[]): void {
    // While a catch-up runs, pushes wait for it; they are applied (or found duplicate) after it.
    if (this.healing !== null) {
      void this.healing.then(
        () => this.receive(events),
        () => undefined,
      );
      return;
    }
    for (const event of events) {
      if (event.revision <= this.revision) continue;
      if (event.revision === this.revision + 1) this.applied.push(event);
      else {
        void this.heal();
        return;
      }
    }
  }

  /** Fetches everything after the last applied revision. */
  heal(): Promise<void> {
    this.healing ??= (async () => {
      const api = apiClient(this.baseUrl);
      for (;;) {
        const page = await api<{ events: Envelope[]; revision: number }>(
          'GET',
          `/api/v1/boards/${this.boardId}/events?after=${this.revision}`,
          { token: this.token() },
        );
        if (page.status !== 200) throw new Error(`events?after answered ${page.status}`);
        for (const event of page.body.events) if (event.revision === this.revision + 1) this.applied.push(event);
        if (page.body.events.length === 0 || this.revision >= page.body.revision) return;
      }
    })().finally(() => {
      this.healing = null;
    });
    return this.healing;
  }
}
