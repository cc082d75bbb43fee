import type { Server as HttpServer } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { Server, type ServerOptions } from 'socket.io';
import { userRoom, type Envelope } from '@primetrade/domain';
import type { Logger, Metrics, TokenService } from '@primetrade/platform';
import type { StoredBoards } from '@primetrade/read-model';
import { createBoardFeeds, followBoard } from './boardFeed.js';
import { createClusterInterest } from './graphqlInterest.js';
import { createFanout } from './fanout.js';
import { attachGraphqlWs, type GraphqlWs } from './graphqlWs.js';
import { createRemovals, type Removals } from './removals.js';
import { authenticate, dropOnExpiry } from './handshake.js';
import {
  createInMemoryPresenceStore,
  createPresence,
  registerPresenceHandlers,
  type PresenceLimits,
  type PresenceStore,
} from './presence.js';
import { registerRoomHandlers, type MembershipQueries } from './rooms.js';
import type { RealtimeIo } from './socket.types.js';

export interface RealtimeDeps {
  readonly httpServer: HttpServer;
  readonly tokens: TokenService;
  readonly membership: MembershipQueries;
  readonly logger: Logger;
  readonly metrics?: Pick<Metrics, 'socketsConnected'> & Partial<Pick<Metrics, 'pushLatency'>>;
  /** Origins allowed cross-origin; omit when the web app is served from the same origin. */
  readonly corsOrigins?: readonly string[];
  /** Cluster mode passes the Redis adapter here; the default is the in-memory adapter. */
  readonly adapter?: ServerOptions['adapter'];
  /** Cluster mode passes a Redis-backed store; the default keeps presence in this process. */
  readonly presenceStore?: PresenceStore;
  /** Cluster mode passes Redis-backed removals, so a removal fanned out by one node holds on every node. */
  readonly removals?: Removals;
  /**
   * The boards folded from the event store (projector's `createStoredBoards`): decides a join the
   * read models cannot yet (docs/consistency.md). Without it the read models alone decide.
   */
  readonly storedBoards?: StoredBoards;
  /** False for a disabled or erased account: its handshake is refused. Default: every token's user is active. */
  readonly isActive?: (userId: string) => Promise<boolean>;
  /** Milliseconds since the epoch; injectable for token-expiry timing. */
  readonly now?: () => number;
  /** Open sockets one account may hold on this node; the next handshake is refused. Default 20 (tabs and devices). */
  readonly maxSocketsPerUser?: number;
  /** Largest message (websocket frame, long-polling POST) accepted; a larger one closes that socket. Default 16 KiB. */
  readonly maxMessageBytes?: number;
  readonly presenceLimits?: PresenceLimits;
  /**
   * The API's GraphQL schema (command-api's `graphqlSchema`): its subscriptions are served over graphql-ws on
   * `/graphql-ws` (docs/adr/0028-graphql-endpoint.md). Needs `storedBoards` for the catch-up.
   */
  readonly graphqlSchema?: GraphQLSchema;
}

export interface RealtimeServer {
  readonly io: RealtimeIo;
  /** Pushes a batch of bus events to the board rooms (see `fanout.ts`). */
  publish(events: readonly Envelope[]): Promise<void>;
  /** Disconnects this node's sockets of an account that was disabled or erased (its handshake is refused from now on). */
  dropAccount(userId: string): void;
  /** Disconnects every socket and closes the engine and the HTTP server it is attached to. */
  close(): Promise<void>;
}

export const realtimePath = '/socket.io';
/** `REALTIME_MAX_MESSAGE_BYTES`' default: a join or presence update is a few hundred bytes, the handshake under 1 KiB. */
export const defaultMaxMessageBytes = 16 * 1024;

/** The Socket.IO node (docs/architecture.md). Attaching starts nothing beyond listening on `httpServer`'s path. */
export function createRealtimeServer(deps: RealtimeDeps): RealtimeServer {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const io: RealtimeIo = new Server(deps.httpServer, {
    path: realtimePath,
    transports: ['polling', 'websocket'],
    serveClient: false,
    // Client messages are ids and flags; the engine refuses anything larger before parsing it.
    maxHttpBufferSize: deps.maxMessageBytes ?? defaultMaxMessageBytes,
    ...(deps.corsOrigins ? { cors: { origin: [...deps.corsOrigins], credentials: true } } : {}),
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
  });
  const presence = createPresence(
    io,
    deps.presenceStore ?? createInMemoryPresenceStore(),
    deps.presenceLimits,
    (error) => logger.error({ err: error }, 'realtime: presence broadcast failed'),
  );
  const socketsOf = new Map<string, number>();
  const maxSocketsPerUser = deps.maxSocketsPerUser ?? 20;
  const removals = deps.removals ?? createRemovals();

  const graphql = deps.graphqlSchema ? serveGraphql(io, deps, deps.graphqlSchema, now) : null;

  io.use(authenticate(deps.tokens, logger, deps.isActive));
  io.use((socket, next) => {
    const open = socketsOf.get(socket.data.userId) ?? 0;
    if (open < maxSocketsPerUser) return next();
    logger.warn({ userId: socket.data.userId, open }, 'realtime: socket refused, too many open for this account');
    next(
      Object.assign(new Error('too_many_sockets'), {
        data: { code: 'RATE_LIMITED', message: `At most ${maxSocketsPerUser} open connections per account` },
      }),
    );
  });
  io.on('connection', (socket) => {
    const { userId } = socket.data;
    socketsOf.set(userId, (socketsOf.get(userId) ?? 0) + 1);
    socket.on('disconnect', () => {
      const left = (socketsOf.get(userId) ?? 1) - 1;
      if (left > 0) socketsOf.set(userId, left);
      else socketsOf.delete(userId);
    });
    void socket.join(userRoom(socket.data.userId));
    deps.metrics?.socketsConnected.inc();
    const stopExpiryTimer = dropOnExpiry(socket, now);
    registerRoomHandlers(socket, {
      membership: deps.membership,
      presence,
      logger,
      removals,
      ...(deps.storedBoards ? { storedBoards: deps.storedBoards } : {}),
      ...(deps.isActive ? { isActive: deps.isActive } : {}),
    });
    registerPresenceHandlers(socket, presence, logger);
    socket.on('disconnect', (reason) => {
      stopExpiryTimer();
      deps.metrics?.socketsConnected.dec();
      logger.debug({ socketId: socket.id, userId: socket.data.userId, reason }, 'realtime: socket disconnected');
    });
    logger.debug({ socketId: socket.id, userId: socket.data.userId }, 'realtime: socket connected');
  });

  const fanout = createFanout(io, presence, logger, removals, deps.metrics);
  return {
    io,
    async publish(events) {
      // The sockets' emit first (its synchronous start), then the GraphQL followers.
      const pushed = fanout(events);
      graphql?.publish(events);
      await pushed;
    },
    dropAccount(userId) {
      logger.info({ userId }, 'realtime: account revoked, dropping its sockets');
      io.local.in(userRoom(userId)).disconnectSockets(true);
      graphql?.ws.dropAccount(userId);
    },
    async close() {
      graphql?.close();
      await graphql?.ws.close();
      await io.close();
    },
  };
}

/**
 * GraphQL subscriptions beside Socket.IO. A batch this node consumed reaches its own followers and,
 * with the Redis adapter, the other nodes' (`serverSideEmit`): only the events of boards some other
 * node follows, which the nodes tell each other (`graphqlInterest.ts`, docs/adr/0036).
 */
function serveGraphql(
  io: RealtimeIo,
  deps: RealtimeDeps,
  schema: GraphQLSchema,
  now: () => number,
): { ws: GraphqlWs; publish(events: readonly Envelope[]): void; close(): void } {
  const { storedBoards, logger } = deps;
  if (!storedBoards) throw new Error('createRealtimeServer: graphqlSchema needs storedBoards for the catch-up');
  const cluster = deps.adapter !== undefined;
  const interest = cluster ? createClusterInterest(io, { logger }) : null;
  const feeds = createBoardFeeds(interest ?? undefined);
  if (cluster) io.on('board:feed', (events) => feeds.deliver(events));
  const followDeps = {
    feeds,
    storedBoards,
    membership: deps.membership,
    logger,
    ...(deps.isActive ? { isActive: deps.isActive } : {}),
  };
  const ws = attachGraphqlWs({
    httpServer: deps.httpServer,
    schema,
    tokens: deps.tokens,
    logger,
    ...(deps.isActive ? { isActive: deps.isActive } : {}),
    follow: (userId, payload) => followBoard(followDeps, userId, payload),
    now,
    maxMessageBytes: deps.maxMessageBytes ?? defaultMaxMessageBytes,
  });
  return {
    ws,
    publish(events) {
      feeds.deliver(events);
      const wanted = interest?.wanted(events) ?? [];
      if (wanted.length > 0) io.serverSideEmit('board:feed', [...wanted]);
    },
    close: () => interest?.close(),
  };
}
