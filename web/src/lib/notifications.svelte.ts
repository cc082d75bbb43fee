import type { NotificationDto } from '@primetrade/domain';
import { api } from './api.js';
import { ApiError } from './problems.js';
import type { RealtimeSocket } from './socket.js';

export type NotificationsStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * My notifications (issue 5): the newest page from `GET /notifications`, older pages on demand,
 * live additions from the socket's `notification` event (my own room), and the unread count the
 * bell shows. A reconnect reloads the first page, so nothing pushed while offline is missed.
 */
export class Notifications {
  #items = $state.raw<readonly NotificationDto[]>([]);
  #unreadCount = $state(0);
  #nextCursor = $state.raw<string | null>(null);
  #status = $state<NotificationsStatus>('idle');
  #error = $state<string | null>(null);

  get items(): readonly NotificationDto[] {
    return this.#items;
  }
  get unreadCount(): number {
    return this.#unreadCount;
  }
  get hasMore(): boolean {
    return this.#nextCursor !== null;
  }
  get status(): NotificationsStatus {
    return this.#status;
  }
  get error(): string | null {
    return this.#error;
  }

  /** The first page (again). */
  async load(pageSize = 20): Promise<void> {
    await this.#fetch(null, pageSize);
  }

  async loadMore(pageSize = 20): Promise<void> {
    if (this.#nextCursor !== null) await this.#fetch(this.#nextCursor, pageSize);
  }

  /** Listens on `socket` until the returned function is called. */
  follow(socket: RealtimeSocket): () => void {
    const onNotification = (notification: NotificationDto) => this.receive(notification);
    const onConnect = () => void this.load().catch(() => undefined);
    socket.on('notification', onNotification);
    socket.on('connect', onConnect);
    return () => {
      socket.off('notification', onNotification);
      socket.off('connect', onConnect);
    };
  }

  /** A pushed notification: on top, counted once even if the push and a reload both bring it. */
  receive(notification: NotificationDto): void {
    if (this.#items.some((item) => item.id === notification.id)) return;
    this.#items = [notification, ...this.#items];
    if (notification.readAt === null) this.#unreadCount += 1;
  }

  async markRead(notificationId: string): Promise<void> {
    const item = this.#items.find((candidate) => candidate.id === notificationId);
    if (!item || item.readAt !== null) return;
    await api.markNotificationRead(notificationId);
    this.#items = this.#items.map((candidate) =>
      candidate.id === notificationId ? { ...candidate, readAt: new Date().toISOString() } : candidate,
    );
    this.#unreadCount = Math.max(0, this.#unreadCount - 1);
  }

  async markAllRead(): Promise<void> {
    const { data } = await api.markAllNotificationsRead();
    const at = new Date().toISOString();
    this.#items = this.#items.map((item) => (item.readAt === null ? { ...item, readAt: at } : item));
    this.#unreadCount = data.unreadCount;
  }

  async #fetch(cursor: string | null, pageSize: number): Promise<void> {
    if (cursor === null) this.#status = 'loading';
    try {
      const { data } = await api.listNotifications({ cursor, limit: pageSize });
      const known = cursor === null ? [] : this.#items;
      this.#items = [...known, ...data.items.filter((item) => !known.some((seen) => seen.id === item.id))];
      this.#nextCursor = data.nextCursor;
      this.#unreadCount = data.unreadCount;
      this.#status = 'ready';
      this.#error = null;
    } catch (error) {
      this.#status = 'error';
      this.#error = error instanceof ApiError ? error.message : 'Could not load notifications';
      throw error;
    }
  }
}
