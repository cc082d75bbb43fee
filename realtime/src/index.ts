export { createRealtimeServer, realtimePath, type RealtimeDeps, type RealtimeServer } from './realtimeServer.js';
export { createFanout, createFanoutConsumer, groupByBoard, realtimeConsumerGroup } from './fanout.js';
export { createInMemoryPresenceStore, type PresenceStore } from './presence.js';
export type { MembershipQueries } from './rooms.js';
export type { RealtimeIo, RealtimeSocket, SocketData } from './socket.types.js';
