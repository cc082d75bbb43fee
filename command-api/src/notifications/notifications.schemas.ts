import { notificationKinds } from '@primetrade/domain';
import { z } from 'zod';
import { cursor, id, pageLimit } from '../boards/common.schemas.js';

export const notificationParams = z.object({ id });

export const notificationsQuery = z.object({
  /** `true`: unread only. */
  unread: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  cursor: cursor.optional(),
  limit: pageLimit,
});

export const notificationDto = z.object({
  id: z.string(),
  kind: z.enum(notificationKinds),
  boardId: z.string(),
  taskId: z.string(),
  taskTitle: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  summary: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

export const notificationPage = z.object({
  items: z.array(notificationDto),
  /** Pass back as `cursor` for the next (older) page; null on the last one. */
  nextCursor: z.string().nullable(),
  unreadCount: z.number().int(),
});

export const readAllResult = z.object({ marked: z.number().int(), unreadCount: z.number().int() });

export const followResult = z.object({ taskId: z.string(), following: z.boolean() });
