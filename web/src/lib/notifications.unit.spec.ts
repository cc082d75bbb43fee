import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NotificationDto } from '@primetrade/domain';
import { Notifications } from './notifications.svelte.js';
import type { RealtimeSocket } from './socket.js';

const at = '2026-11-28T10:00:00.000Z';
const notification = (id: string, readAt: string | null = null): NotificationDto => ({
  id,
  kind: 'assigned',
  boardId: 'b1',
  taskId: 't1',
  taskTitle: 'Write the post',
  actorId: 'u1',
  actorName: 'Ada',
  summary: 'assigned you to “Write the post”',
  createdAt: at,
  readAt,
});

/** The server's notification endpoints over a list; records the requests. */
function fakeServer(items: NotificationDto[], options: { failList?: boolean } = {}) {
  const requests: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const path = new URL(url, 'http://test');
      requests.push(`${init.method} ${path.pathname}${path.search}`);
      const json = (body: unknown, status = 200) =>
        new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
      if (path.pathname.endsWith('/read-all'))
        return json({ marked: items.filter((item) => item.readAt === null).length, unreadCount: 0 });
      if (path.pathname.endsWith('/read')) return new Response(null, { status: 204 });
      if (options.failList) return json({ code: 'SERVICE.UNAVAILABLE', detail: 'down' }, 503);
      return json({ items, nextCursor: null, unreadCount: items.filter((item) => item.readAt === null).length });
    }),
  );
  return { requests };
}

function fakeSocket() {
  const handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  const socket = {
    on(event: string, handler: (...args: unknown[]) => void) {
      handlers.set(event, [...(handlers.get(event) ?? []), handler]);
      return socket;
    },
    off(event: string, handler: (...args: unknown[]) => void) {
      handlers.set(
        event,
        (handlers.get(event) ?? []).filter((item) => item !== handler),
      );
      return socket;
    },
  };
  const fire = (event: string, ...args: unknown[]) => {
    for (const handler of handlers.get(event) ?? []) handler(...args);
  };
  return { socket: socket as unknown as RealtimeSocket, fire };
}

afterEach(() => vi.unstubAllGlobals());

describe('Notifications', () => {
  it('loads my newest page with the unread count', async () => {
    fakeServer([notification('n2'), notification('n1', at)]);
    const notifications = new Notifications();
    await notifications.load();
    expect(notifications.items.map((item) => item.id)).toEqual(['n2', 'n1']);
    expect(notifications.unreadCount).toBe(1);
    expect(notifications.status).toBe('ready');
  });

  it('shows an error state when the list cannot load', async () => {
    fakeServer([], { failList: true });
    const notifications = new Notifications();
    await expect(notifications.load()).rejects.toThrow();
    expect(notifications.status).toBe('error');
    expect(notifications.error).toBeTruthy();
  });

  it('puts a pushed notification on top and counts it once, even if a reload brings it too', async () => {
    const server = [notification('n1')];
    fakeServer(server);
    const { socket, fire } = fakeSocket();
    const notifications = new Notifications();
    const stop = notifications.follow(socket);
    await notifications.load();
    fire('notification', notification('n2'));
    fire('notification', notification('n2'));
    expect(notifications.items.map((item) => item.id)).toEqual(['n2', 'n1']);
    expect(notifications.unreadCount).toBe(2);

    stop();
    fire('notification', notification('n3'));
    expect(notifications.items).toHaveLength(2);
  });

  it('reloads on every (re)connect, so what was pushed while offline shows', async () => {
    const { requests } = fakeServer([notification('n9')]);
    const { socket, fire } = fakeSocket();
    const notifications = new Notifications();
    notifications.follow(socket);
    fire('connect');
    await vi.waitFor(() => expect(notifications.items.map((item) => item.id)).toEqual(['n9']));
    expect(requests).toEqual(['GET /api/v1/notifications?limit=20']);
  });

  it('marks one read, then all read', async () => {
    const { requests } = fakeServer([notification('n2'), notification('n1')]);
    const notifications = new Notifications();
    await notifications.load();
    await notifications.markRead('n1');
    expect(notifications.unreadCount).toBe(1);
    expect(notifications.items.find((item) => item.id === 'n1')?.readAt).not.toBeNull();
    await notifications.markAllRead();
    expect(notifications.unreadCount).toBe(0);
    expect(notifications.items.every((item) => item.readAt !== null)).toBe(true);
    expect(requests.slice(1)).toEqual(['POST /api/v1/notifications/n1/read', 'POST /api/v1/notifications/read-all']);
  });
});
