import { Emitter } from '@socket.io/redis-emitter';
import { userRoom, type NotificationDto } from '@primetrade/domain';
import type { Redis } from '@primetrade/platform';
import type { ProjectorLogger } from '../logging.js';
import type { NewNotification } from './notifications.projection.js';

/** Anything that emits to a Socket.IO room: the server itself (embedded) or a Redis emitter (cluster). */
export interface NotificationRooms {
  to(room: string): { emit(event: 'notification', payload: NotificationDto): unknown };
}

/** Pushes each new notification to its user's own room `user:<id>` (docs/api.md), which every socket joins on connect. */
export function pushNotifications(rooms: NotificationRooms): (notifications: readonly NewNotification[]) => void {
  return (notifications) => {
    for (const { userId, notification } of notifications) rooms.to(userRoom(userId)).emit('notification', notification);
  };
}

/**
 * Cluster mode: the projector is not a Socket.IO server. It publishes on the channels of the
 * realtime nodes' Redis adapter (same `key`), which hand the message to their sockets in the room,
 * so a notification reaches the user on whichever node they are connected to. The emitter never
 * awaits its publishes: a failure (Redis down) is logged here, the notification stays listed.
 */
export function createRedisNotificationRooms(
  redis: Redis,
  options: { key: string; logger: ProjectorLogger },
): NotificationRooms {
  const client = {
    publish: (channel: string, message: Buffer | string) =>
      redis.publish(channel, message).catch((error: unknown) => {
        options.logger.warn({ err: error }, 'notification push via Redis failed; the notification stays in the list');
      }),
  };
  const emitter = new Emitter(client, { key: options.key });
  return { to: (room) => emitter.to(room) };
}
