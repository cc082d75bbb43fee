import type { ClientToServerEvents, ServerToClientEvents } from '@primetrade/domain';
import { io, type Socket } from 'socket.io-client';
import type { TokenSource } from './api.js';

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A Socket.IO client typed by the realtime contract (docs/api.md). The handshake reads the token at
 * each attempt, so reconnects carry the latest one. The server drops a socket whose token expired
 * and refuses an expired handshake: both end socket.io's own retries, so refresh and connect again.
 * The browser's offline/online events drive the socket too, so a dead network is noticed at once.
 */
export function connectRealtime(tokens: TokenSource): RealtimeSocket {
  const socket: RealtimeSocket = io({
    path: '/socket.io',
    transports: ['websocket'],
    auth: (give) => give({ token: tokens.accessToken() ?? '' }),
  });
  const renewAndConnect = async () => {
    if (await tokens.refresh()) socket.connect();
  };
  socket.on('connect_error', (error) => {
    if (error.message === 'unauthorized') void renewAndConnect();
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') void renewAndConnect();
  });
  const offline = () => socket.disconnect();
  const online = () => socket.connect();
  window.addEventListener('offline', offline);
  window.addEventListener('online', online);
  const close = socket.close.bind(socket);
  socket.close = () => {
    window.removeEventListener('offline', offline);
    window.removeEventListener('online', online);
    return close();
  };
  return socket;
}
