import http from 'node:http';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { FrontDoor } from './frontDoor.js';
import { eventually, frontDoorFor, json, listen, rawRequest, testScope } from './frontDoor.testkit.js';

interface Health {
  upstreams: Record<string, { url: string; up: boolean; active: number }[]>;
}

/** A realtime node: Socket.IO on `/socket.io`, answering `whoami` with its name. */
interface Node {
  readonly name: string;
  readonly url: string;
  readonly io: Server;
  /** Engine.IO sessions opened on this node. */
  handshakes: number;
  close(): Promise<void>;
}

const { defer, upstream } = testScope();

async function node(name: string): Promise<Node> {
  const httpServer = http.createServer();
  const server = new Server(httpServer, { path: '/socket.io', serveClient: false });
  const url = await listen(httpServer);
  const result: Node = {
    name,
    url,
    io: server,
    handshakes: 0,
    close: async () => {
      await server.close();
      httpServer.closeAllConnections();
    },
  };
  server.engine.on('connection', () => result.handshakes++);
  server.on('connection', (socket) => socket.on('whoami', (ack: (name: string) => void) => ack(name)));
  defer(() => result.close());
  return result;
}

async function door(realtime: readonly Node[]): Promise<FrontDoor> {
  const api = await upstream('api');
  const front = await frontDoorFor({ api: [api.url], realtime: realtime.map((n) => n.url) });
  defer(() => front.close());
  return front;
}

async function connect(front: FrontDoor, transports: ('polling' | 'websocket')[], upgrade = true): Promise<Socket> {
  const socket = io(front.url, { path: '/socket.io', transports, upgrade, reconnection: false, forceNew: true, timeout: 5000 });
  defer(() => void socket.close());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

const whoami = (socket: Socket): Promise<string> => socket.timeout(3000).emitWithAck('whoami') as Promise<string>;

async function activeOf(front: FrontDoor): Promise<number[]> {
  return json<Health>(await rawRequest(front.url, '/healthz')).upstreams.realtime?.map((entry) => entry.active) ?? [];
}

describe('Front door › Socket.IO', () => {
  it('tunnels the websocket transport both ways and counts the open socket', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const front = await door([a, b]);
    const socket = await connect(front, ['websocket']);
    expect(socket.io.engine.transport.name).toBe('websocket');
    const name = await whoami(socket);
    expect(['a', 'b']).toContain(name);

    const pushed = new Promise<string>((resolve) => socket.once('news', resolve));
    (name === 'a' ? a : b).io.emit('news', 'from the node');
    expect(await pushed).toBe('from the node');
    expect((await activeOf(front)).reduce((sum, count) => sum + count, 0)).toBe(1);

    socket.close();
    await eventually(async () => (await activeOf(front)).every((count) => count === 0), 'the tunnel to be released');
    await eventually(async () => (await (name === 'a' ? a : b).io.fetchSockets()).length === 0, 'the node to see the disconnect');
  });

  it('keeps each long-polling session on the node that holds it', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const front = await door([a, b]);
    const sockets = [await connect(front, ['polling']), await connect(front, ['polling']), await connect(front, ['polling'])];
    const owners: string[] = [];
    for (const socket of sockets) {
      expect(socket.io.engine.transport.name).toBe('polling');
      const answers = await Promise.all(Array.from({ length: 8 }, () => whoami(socket)));
      expect(new Set(answers).size).toBe(1);
      owners.push(answers[0] ?? '');
    }
    // Each handshake found the other node with fewer open polls, so both nodes hold sessions.
    expect(new Set(owners)).toEqual(new Set(['a', 'b']));
    expect(a.handshakes + b.handshakes).toBe(3);
  });

  it('upgrades a polling session to websocket on the same node', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const front = await door([a, b]);
    const socket = await connect(front, ['polling', 'websocket']);
    const before = await whoami(socket);
    if (socket.io.engine.transport.name !== 'websocket') {
      await new Promise<void>((resolve) => socket.io.engine.once('upgrade', () => resolve()));
    }
    expect(socket.io.engine.transport.name).toBe('websocket');
    expect(await whoami(socket)).toBe(before);
    expect(a.handshakes + b.handshakes).toBe(1);
  });

  it('closes the client side when the node goes away', async () => {
    const a = await node('a');
    const front = await door([a]);
    const socket = await connect(front, ['websocket']);
    const reason = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    a.io.engine.close(); // drops every transport without a Socket.IO goodbye: only the TCP close reaches the client
    expect(await reason).toBe('transport close');
    await eventually(async () => (await activeOf(front))[0] === 0, 'the tunnel to be released');
  });

  it('closes open websockets and long polls at once when the front door closes', async () => {
    const a = await node('a');
    const api = await upstream('api');
    const front = await frontDoorFor({ api: [api.url], realtime: [a.url], closeGraceMs: 10_000 });
    const sockets = [await connect(front, ['websocket']), await connect(front, ['polling'])];
    const reasons = sockets.map((socket) => new Promise<string>((resolve) => socket.once('disconnect', resolve)));
    const started = Date.now();
    await front.close();
    expect(Date.now() - started).toBeLessThan(2000);
    for (const reason of await Promise.all(reasons)) expect(reason).toMatch(/^transport (close|error)$/);
  });

  it('counts an open websocket when balancing the next connection', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const front = await door([a, b]);
    const names: string[] = [];
    for (let i = 0; i < 4; i++) names.push(await whoami(await connect(front, ['websocket'])));
    expect(names.filter((name) => name === 'a')).toHaveLength(2);
    expect(await activeOf(front)).toEqual([2, 2]);
  });

  it('answers an upgrade with 502 when no realtime node is up, and 404 outside /socket.io', async () => {
    const a = await node('a');
    const front = await door([a]);
    await a.close();
    const failed = new Promise<Error>((resolve) => {
      const socket = io(front.url, { transports: ['websocket'], reconnection: false, forceNew: true });
      defer(() => void socket.close());
      socket.once('connect_error', resolve);
    });
    expect((await failed).message).toMatch(/websocket error/);

    const status = await new Promise<number | undefined>((resolve, reject) => {
      const target = new URL(front.url);
      const req = http.request({ host: target.hostname, port: target.port, path: '/api/v1/boards', headers: { connection: 'Upgrade', upgrade: 'websocket' } });
      req.on('response', (res) => resolve(res.statusCode));
      req.on('upgrade', () => reject(new Error('upgraded outside /socket.io')));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
  });
});
