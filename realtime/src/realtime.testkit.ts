import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import type {
  BoardEvent,
  ClientToServerEvents,
  Envelope,
  JoinAck,
  PresenceUser,
  Role,
  ServerToClientEvents,
} from '@primetrade/domain';
import {
  createLogger,
  createMetrics,
  createTokenService,
  opsRequestHandler,
  type Logger,
  type Metrics,
  type TokenService,
} from '@primetrade/platform';
import { createRealtimeServer, type RealtimeDeps, type RealtimeServer } from './realtimeServer.js';

export type Client = ClientSocket<ServerToClientEvents, ClientToServerEvents>;
export const secret = 'realtime-test-secret-0123456789abcdef';

/** Stands in for the projector's read-model queries (board_members, checkpoints). */
export function createMembership() {
  const roles = new Map<string, Role>();
  const revisions = new Map<string, number>();
  return {
    grant: (boardId: string, userId: string, role: Role = 'editor') => void roles.set(`${boardId}/${userId}`, role),
    revoke: (boardId: string, userId: string) => void roles.delete(`${boardId}/${userId}`),
    setRevision: (boardId: string, revision: number) => void revisions.set(boardId, revision),
    roleOf: async (boardId: string, userId: string) => roles.get(`${boardId}/${userId}`) ?? null,
    revisionOf: async (boardId: string) => revisions.get(boardId) ?? null,
    standingOf: async (boardId: string, userId: string) => ({
      role: roles.get(`${boardId}/${userId}`) ?? null,
      revision: revisions.get(boardId) ?? null,
    }),
  };
}

export interface Harness {
  readonly url: string;
  readonly server: RealtimeServer;
  readonly tokens: TokenService;
  readonly membership: ReturnType<typeof createMembership>;
  /** Opens a socket with whatever `auth` it is given (closed by `close()`). */
  open(auth: Record<string, unknown>, transports?: ('websocket' | 'polling')[]): Client;
  /** Signs an access token and opens a socket with it; resolves once connected. */
  connect(user: TestUser): Promise<Client>;
  /** Opens a socket with whatever `auth` it is given and resolves with the connect_error. */
  refused(auth: Record<string, unknown>): Promise<Error & { data?: { code?: string } }>;
  close(): Promise<void>;
}

export interface TestUser {
  readonly id: string;
  readonly name: string;
}
export const newUser = (name: string): TestUser => ({ id: randomUUID(), name });

export interface RealtimeOptions {
  readonly accessTtlSeconds?: number;
  readonly metrics?: Pick<Metrics, 'socketsConnected'>;
  readonly isActive?: (userId: string) => Promise<boolean>;
  /** Cluster mode pieces (Redis adapter, presence store, removals); default in process. */
  readonly cluster?: Pick<RealtimeDeps, 'adapter' | 'presenceStore' | 'removals'>;
  /** Nodes of one cluster share the read model; default a fresh one. */
  readonly membership?: ReturnType<typeof createMembership>;
  /** Real read-model queries instead of the stand-in (`membership` then only backs the harness's helpers). */
  readonly readModel?: RealtimeDeps['membership'];
  /** The event store's folds, for joins the read model cannot decide (docs/consistency.md). */
  readonly storedBoards?: RealtimeDeps['storedBoards'];
  /** Default silent; a spec that asserts "nothing logged as an error" passes its own. */
  readonly logger?: Logger;
  readonly maxMessageBytes?: number;
}

export async function startRealtime(options: RealtimeOptions = {}): Promise<Harness> {
  // `/healthz` as the realtime node serves it (clusterNode.ts), beside Socket.IO's own path.
  const ops = opsRequestHandler({ metrics: createMetrics(), readiness: async () => ({}) });
  const httpServer = createServer((req, res) => {
    if (ops(req, res) || req.url?.startsWith('/socket.io')) return;
    res.writeHead(404).end();
  });
  const tokens = createTokenService({ secret, accessTtlSeconds: options.accessTtlSeconds ?? 900 });
  const membership = options.membership ?? createMembership();
  const server = createRealtimeServer({
    ...options.cluster,
    httpServer,
    tokens,
    membership: options.readModel ?? membership,
    ...(options.storedBoards ? { storedBoards: options.storedBoards } : {}),
    logger: options.logger ?? createLogger({ level: 'silent' }),
    ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.isActive ? { isActive: options.isActive } : {}),
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const clients: Client[] = [];
  const open = (auth: Record<string, unknown>, transports: ('websocket' | 'polling')[] = ['websocket']): Client => {
    const client: Client = connectClient(url, {
      path: '/socket.io',
      auth,
      transports,
      reconnection: false,
      forceNew: true,
    });
    clients.push(client);
    return client;
  };
  return {
    url,
    server,
    tokens,
    membership,
    open,
    async connect(user) {
      const { token } = await tokens.signAccess({ id: user.id, name: user.name, role: 'user' });
      return connectWith(open({ token }));
    },
    refused: (auth) =>
      new Promise((resolve, reject) => {
        const client = open(auth);
        client.on('connect', () => reject(new Error('the server accepted the handshake')));
        client.on('connect_error', (error) => resolve(error as Error & { data?: { code?: string } }));
      }),
    async close() {
      for (const client of clients) client.disconnect();
      await server.close();
    },
  };
}

export function connectWith(client: Client): Promise<Client> {
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('connect_error', reject);
  });
}

export const join = (client: Client, payload: { boardId: string; afterRevision?: number }): Promise<JoinAck> =>
  client.timeout(5_000).emitWithAck('board:join', payload);

/** Everything a client receives, in arrival order. */
export function record(client: Client) {
  const batches: { boardId: string; revisions: number[] }[] = [];
  const presence: { boardId: string; users: PresenceUser[] }[] = [];
  client.on('board:events', ({ boardId, events }) =>
    batches.push({ boardId, revisions: events.map((event) => event.revision) }),
  );
  client.on('presence', (payload) => presence.push(payload));
  return { batches, presence, lastPresence: () => presence.at(-1)?.users };
}

export function envelope(
  boardId: string,
  revision: number,
  event: BoardEvent = { type: 'BoardRenamed', data: { name: `r${revision}` } },
): Envelope {
  return {
    ...event,
    id: randomUUID(),
    boardId,
    revision,
    position: String(revision),
    occurredAt: new Date().toISOString(),
    actorId: randomUUID(),
    correlationId: randomUUID(),
    causationId: null,
    schemaVersion: 1,
  };
}
