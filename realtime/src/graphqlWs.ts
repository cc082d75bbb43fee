import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Envelope } from '@primetrade/domain';
import type { Logger, TokenService } from '@primetrade/platform';
import { verifyHandshake } from './handshake.js';
import { joinsPerSecond } from './rooms.js';
import { perSecondCounter } from './socketRate.js';

/** The websocket path of GraphQL subscriptions on a realtime node (nginx sends it there, docs/api.md). */
export const graphqlWsPath = '/graphql-ws';

/** What the schema's `Subscription.boardEvents` resolver finds in its context (command-api/src/graphql). */
export interface BoardEventsContext {
  followBoard(payload: { boardId: unknown; afterRevision: unknown }): Promise<AsyncIterableIterator<Envelope>>;
}

export interface GraphqlWsDeps {
  readonly httpServer: HttpServer;
  /** The API's schema (command-api's `graphqlSchema`): only its subscriptions are served here. */
  readonly schema: GraphQLSchema;
  readonly tokens: TokenService;
  readonly logger: Logger;
  readonly isActive?: (userId: string) => Promise<boolean>;
  readonly follow: (
    userId: string,
    payload: { boardId: unknown; afterRevision: unknown },
  ) => Promise<AsyncIterableIterator<Envelope>>;
  readonly now: () => number;
  readonly maxMessageBytes: number;
  /** Open subscriptions per connection; the next subscribe is refused (RATE_LIMITED). */
  readonly maxSubscriptions?: number;
}

export interface GraphqlWs {
  /** Closes this node's connections of an account that was disabled or erased. */
  dropAccount(userId: string): void;
  close(): Promise<void>;
}

// A type, not an interface: graphql-ws wants an index signature.
type Extra = {
  userId: string;
  subscribes: { note(): number };
};

const refused = (code: string, message: string) => [new GraphQLError(message, { extensions: { code } })];

/**
 * graphql-ws (GraphQL over WebSocket) on the realtime node's HTTP server. `connection_init`'s payload
 * carries `{ token }`, checked as the Socket.IO handshake is; a refused connection closes with 4401
 * (4403 for a disabled account) and the domain code as the reason. Only subscriptions are served.
 */
export function attachGraphqlWs(deps: GraphqlWsDeps): GraphqlWs {
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxMessageBytes });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(req.url ?? '/', 'http://realtime').pathname !== graphqlWsPath) return;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  deps.httpServer.on('upgrade', onUpgrade);
  const socketsOf = new Map<string, Set<WebSocket>>();
  const maxSubscriptions = deps.maxSubscriptions ?? 20;

  const server = useServer<{ token?: unknown } | undefined, Extra>(
    {
      schema: deps.schema,
      // Queries and mutations are the API nodes' (`/api/v1/graphql`); their resolvers need what only those have.
      execute: () => ({
        errors: refused(
          'VALIDATION.FAILED',
          'Only subscriptions are served here; queries and mutations go to /api/v1/graphql',
        ),
      }),
      async onConnect(ctx) {
        const socket = ctx.extra.socket;
        const verdict = await verifyHandshake(deps.tokens, ctx.connectionParams?.token, deps.isActive).catch(
          (error: unknown) => {
            deps.logger.error({ err: error }, 'realtime: graphql-ws handshake check failed');
            return { ok: false as const, code: 'AUTH.UNAUTHENTICATED' as const };
          },
        );
        if (!verdict.ok) {
          socket.close(
            verdict.code === 'AUTH.ACCOUNT_DISABLED' ? CloseCode.Forbidden : CloseCode.Unauthorized,
            verdict.code,
          );
          return false;
        }
        const { userId, exp } = verdict.claims;
        Object.assign(ctx.extra, { userId, subscribes: perSecondCounter() });
        const sockets = socketsOf.get(userId) ?? new Set<WebSocket>();
        socketsOf.set(userId, sockets.add(socket));
        // As `dropOnExpiry` for sockets: an old token stops listening when it expires.
        const expiry = setTimeout(
          () => socket.close(CloseCode.Unauthorized, 'AUTH.TOKEN_EXPIRED'),
          Math.min(Math.max(0, exp * 1000 - deps.now()), 2 ** 31 - 1),
        );
        expiry.unref();
        socket.once('close', () => {
          clearTimeout(expiry);
          sockets.delete(socket);
          if (sockets.size === 0 && socketsOf.get(userId) === sockets) socketsOf.delete(userId);
        });
        return true;
      },
      onSubscribe(ctx) {
        if (Object.keys(ctx.subscriptions).length >= maxSubscriptions)
          return refused('RATE_LIMITED', `At most ${maxSubscriptions} subscriptions per connection`);
        if ((ctx.extra.subscribes?.note() ?? 0) > joinsPerSecond)
          return refused('RATE_LIMITED', `At most ${joinsPerSecond} subscribes a second per connection`);
        return undefined;
      },
      context: (ctx): BoardEventsContext => {
        const userId = ctx.extra.userId ?? '';
        return { followBoard: (payload) => deps.follow(userId, payload) };
      },
    },
    wss,
  );

  return {
    dropAccount(userId) {
      for (const socket of socketsOf.get(userId) ?? []) socket.close(CloseCode.Forbidden, 'AUTH.ACCOUNT_DISABLED');
    },
    async close() {
      deps.httpServer.off('upgrade', onUpgrade);
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
