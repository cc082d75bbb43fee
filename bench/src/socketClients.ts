import { io as connect, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { monotonicMicros, type Tick } from './lib/fanoutProtocol.js';
import type { ClientCommand, ClientReply } from './lib/socketProtocol.js';

const send = (reply: ClientReply) => process.send?.(reply);
const sockets: (Socket | WebSocket)[] = [];
let recording: { sample: number; micros: number[] } | null = null;

function onTick(tick: Tick): void {
  const at = monotonicMicros();
  if (recording?.sample === tick.sample) recording.micros.push(at - tick.at);
}

function openWs(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function openSocketIo(command: Extract<ClientCommand, { type: 'connect' }>, n: number): Promise<Socket> {
  const token = command.tokens?.[n % command.tokens.length];
  const socket = connect(command.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(token ? { auth: { token } } : {}),
    ...(command.room ? { query: { room: command.room } } : {}),
  });
  socket.on('tick', onTick);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const boardId = command.boardIds?.[n % command.boardIds.length];
  if (boardId) {
    const ack = (await socket.timeout(30_000).emitWithAck('board:join', { boardId })) as { ok: boolean };
    if (!ack.ok) throw new Error(`board:join refused: ${JSON.stringify(ack)}`);
  }
  return socket;
}

/** Opens the sockets 50 at a time (a burst of thousands of handshakes would time out on a busy machine). */
async function connectAll(command: Extract<ClientCommand, { type: 'connect' }>): Promise<void> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < command.count) {
        const n = next++;
        try {
          sockets.push(command.kind === 'ws' ? await openWs(command.url) : await openSocketIo(command, n));
        } catch (error) {
          failed += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  send({ type: 'connected', count: sockets.length, failed, ...(firstError ? { firstError } : {}) });
}

/**
 * Client sockets for B12 and B13 in a process of their own (one process holds a few thousand at
 * most, and keeps the clients' CPU off the load generator), driven over IPC.
 */
process.on('message', (command: ClientCommand) => {
  if (command.type === 'connect') void connectAll(command);
  else if (command.type === 'record') {
    recording = { sample: command.sample, micros: [] };
    send({ type: 'recording' });
  } else {
    send({ type: 'collected', micros: recording?.micros ?? [] });
    recording = null;
  }
});
process.once('SIGTERM', () => {
  for (const socket of sockets) socket.close();
  process.exit(0);
});
