export { createRealtimeServer, realtimePath, type RealtimeDeps, type RealtimeServer } from './realtimeServer.js';
export { createFanout, createFanoutConsumer, groupByBoard, realtimeConsumerGroup } from './fanout.js';
export { createInMemoryPresenceStore, type PresenceStore } from './presence.js';
export type { MembershipQueries } from './rooms.js';
export type { RealtimeIo, RealtimeSocket, SocketData } from './socket.types.js';
export { createRemovals, createRedisRemovals, type Removals, type RedisRemovalsOptions } from './removals.js';
export {
  createRedisPresenceStore,
  type RedisPresenceStore,
  type RedisPresenceStoreOptions,
} from './redisPresenceStore.js';
export { createRedisAdapter, type RedisAdapterOptions } from './redisAdapter.js';
export * from './readModelAccess.js';
export { graphqlWsPath, type BoardEventsContext } from './graphqlWs.js';
