import { DomainError } from '@primetrade/domain';
import type { Sql } from '@primetrade/platform';
import { listNotifications, markAllNotificationsRead, markNotificationRead, unreadCount } from '@primetrade/read-model';
import { defineRoute, type RouteRegistrar } from '../http/route.js';
import { requireUser } from '../http/state.js';
import { notificationPage, notificationParams, notificationsQuery, readAllResult } from './notifications.schemas.js';

export interface NotificationRouteDeps {
  /** Where the projector stores notifications (the read-side database). */
  readonly sql: Sql;
  readonly clock: () => Date;
}

const tags = ['notifications'];

/** The caller's own notifications (issue 5); another user's id is indistinguishable from an unknown one. */
export function registerNotificationRoutes(registrar: RouteRegistrar, deps: NotificationRouteDeps): void {
  defineRoute(
    registrar,
    {
      method: 'get',
      path: '/notifications',
      readReplica: false,
      summary: 'My notifications, newest first (keyset pages)',
      tags,
      query: notificationsQuery,
      responses: { 200: { description: 'A page, and how many are unread in all', schema: notificationPage } },
    },
    async (ctx, { query }) => {
      ctx.body = await listNotifications(deps.sql, requireUser(ctx).id, query);
    },
  );

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/notifications/read-all',
      summary: 'Mark all my notifications read',
      tags,
      responses: { 200: { description: 'How many were marked', schema: readAllResult } },
    },
    async (ctx) => {
      const userId = requireUser(ctx).id;
      const marked = await markAllNotificationsRead(deps.sql, userId, deps.clock());
      ctx.body = { marked, unreadCount: await unreadCount(deps.sql, userId) };
    },
  );

  defineRoute(
    registrar,
    {
      method: 'post',
      path: '/notifications/:id/read',
      summary: 'Mark one of my notifications read',
      tags,
      params: notificationParams,
      responses: { 204: { description: 'Marked (again, if it was)' }, 404: { description: 'Not mine, or unknown' } },
    },
    async (ctx, { params }) => {
      if (!(await markNotificationRead(deps.sql, requireUser(ctx).id, params.id, deps.clock()))) {
        throw new DomainError('NOTIFICATION.NOT_FOUND', 'Notification not found');
      }
      ctx.status = 204;
    },
  );
}
