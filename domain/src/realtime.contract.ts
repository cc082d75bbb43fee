import type { ErrorCode } from './errors.js';
import type { Envelope } from './envelope.js';
import type { NotificationDto } from './notifications.contract.js';

/** Socket.IO protocol (docs/api.md "HTTP in one minute"). Path `/socket.io`, handshake `auth: { token }`. */
export interface PresenceUser {
  readonly userId: string;
  readonly name: string;
  readonly taskId: string | null;
  readonly editing: boolean;
}

export type JoinAck =
  | { readonly ok: true; readonly revision: number }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** A refused leave (a payload without a board UUID) says why, in the shape of a refused join. */
export type LeaveAck =
  { readonly ok: true } | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

export interface ServerToClientEvents {
  'board:events': (payload: { boardId: string; events: Envelope[] }) => void;
  presence: (payload: { boardId: string; users: PresenceUser[] }) => void;
  /** To the user's own room `user:<id>`, which every socket joins on connect. */
  notification: (payload: NotificationDto) => void;
}

export interface ClientToServerEvents {
  'board:join': (payload: { boardId: string; afterRevision?: number }, ack: (result: JoinAck) => void) => void;
  'board:leave': (payload: { boardId: string }, ack?: (result: LeaveAck) => void) => void;
  'presence:update': (payload: { boardId: string; taskId?: string | null; editing?: boolean }) => void;
}

export const boardRoom = (boardId: string): string => `board:${boardId}`;
export const userRoom = (userId: string): string => `user:${userId}`;
