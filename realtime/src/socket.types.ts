import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, Envelope, ServerToClientEvents } from '@primetrade/domain';
import type { InterestChange, InterestList } from './graphqlInterest.js';

/** What one socket shows on one board; kept on the socket so a partial update can merge. */
export interface SocketPresence {
  readonly taskId: string | null;
  readonly editing: boolean;
}

/** Per-socket state, set by the handshake (claims) and the room handlers (presence). */
export interface SocketData {
  readonly userId: string;
  readonly name: string;
  /** Token expiry, seconds since the epoch. */
  readonly exp: number;
  /** Keyed by board id; plain object so the Redis adapter can serialise it in `fetchSockets`. */
  presence: Record<string, SocketPresence>;
}

/** Cross-node: what one node consumed of the boards other nodes have GraphQL followers of (boardFeed.ts, ADR 0036). */
export interface InterServerEvents {
  'board:feed': (events: Envelope[]) => void;
  /** A node's GraphQL follow of a board; the others note it, then answer (graphqlInterest.ts). */
  'graphql:follow': (change: InterestChange, ack: () => void) => void;
  /** A node follows a board no more. */
  'graphql:unfollow': (change: InterestChange) => void;
  /** Asks every other node for the boards it follows. */
  'graphql:interests': (ack: (list: InterestList) => void) => void;
}

export type RealtimeIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/**
 * Socket.IO passes the client's ack callback as the last argument, whatever the client sent
 * before it; a malicious or buggy client may send no payload, extra arguments or no callback.
 */
export function splitAck(args: readonly unknown[]): { payload: unknown; ack: ((result: unknown) => void) | null } {
  const last = args.at(-1);
  const ack = typeof last === 'function' ? (last as (result: unknown) => void) : null;
  const payload = ack !== null && args.length === 1 ? undefined : args[0];
  return { payload, ack };
}
