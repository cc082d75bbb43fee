import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BoardViewDto, Envelope } from '@primetrade/domain';
import { LiveBoard } from './live.svelte.js';
import type { RealtimeSocket } from './socket.js';

const boardId = '00000000-0000-4000-8000-000000000001';
const me = '00000000-0000-4000-8000-0000000000aa';
const at = '2026-11-28T10:00:00.000Z';

const view: BoardViewDto = {
  board: { id: boardId, name: 'Launch', description: '', archived: false, createdBy: me, createdAt: at, updatedAt: at, revision: 2 },
  columns: [{ id: 'c1', name: 'To do', position: 'V', isDone: false, wipLimit: null }],
  tasks: [],
  members: [{ userId: me, name: 'Me', role: 'owner', addedAt: at }],
  revision: 2,
};

const created = (revision: number, title: string): Envelope => ({
  type: 'TaskCreated',
  data: { taskId: `t${revision}`, columnId: 'c1', position: `V${revision}`, title, description: '', priority: 'medium', dueDate: null, assigneeIds: [], labels: [] },
  id: `e${revision}`, boardId, revision, position: String(revision), occurredAt: at, actorId: me, correlationId: 'c',
  causationId: null, schemaVersion: 1,
});

/** A socket double: records joins, and lets the test fire server events. */
function fakeSocket() {
  const handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  const joins: unknown[] = [];
  const socket = {
    connected: false,
    on(event: string, handler: (...args: unknown[]) => void) {
      handlers.set(event, [...(handlers.get(event) ?? []), handler]);
      return socket;
    },
    off(event: string, handler: (...args: unknown[]) => void) {
      handlers.set(event, (handlers.get(event) ?? []).filter((item) => item !== handler));
      return socket;
    },
    emit: vi.fn(),
    timeout: () => ({
      emitWithAck: async (_event: string, payload: unknown) => {
        joins.push(payload);
        return { ok: true, revision: 0 };
      },
    }),
  };
  const fire = (event: string, ...args: unknown[]) => {
    for (const handler of handlers.get(event) ?? []) handler(...args);
  };
  return { socket: socket as unknown as RealtimeSocket, raw: socket, joins, fire };
}

/** The server's HTTP side: the board view and the event feed. */
function fakeServer(events: Envelope[]) {
  const eventQueries: string[] = [];
  vi.stubGlobal('fetch', vi.fn(async (url: string) => {
    const path = new URL(url, 'http://test').pathname + new URL(url, 'http://test').search;
    if (path.includes('/events')) {
      eventQueries.push(path);
      const after = Number(new URL(url, 'http://test').searchParams.get('after'));
      const body = { events: events.filter((event) => event.revision > after), revision: events.at(-1)?.revision ?? 2 };
      return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
    }
    return new Response(JSON.stringify(view), { headers: { 'Content-Type': 'application/json', ETag: 'W/"2"' } });
  }));
  return { eventQueries };
}

const titles = (live: LiveBoard) => (live.store.state.status === 'initial' ? [] : Object.values(live.store.state.tasks).map((task) => task.title));

afterEach(() => vi.unstubAllGlobals());

describe('LiveBoard', () => {
  describe('when the socket connects after the board loaded', () => {
    it('joins from my revision, fetches what it missed and goes live', async () => {
      const { eventQueries } = fakeServer([created(3, 'Missed while loading')]);
      const { socket, raw, joins, fire } = fakeSocket();
      const live = new LiveBoard(boardId, socket, () => me);
      await live.start();
      expect(live.connection).toBe('connecting');
      raw.connected = true;
      fire('connect');
      await vi.waitFor(() => expect(live.connection).toBe('live'));
      expect(joins).toEqual([{ boardId, afterRevision: 2 }]);
      expect(eventQueries[0]).toContain('after=2');
      expect(titles(live)).toEqual(['Missed while loading']);
    });
  });

  describe('when the connection drops and comes back', () => {
    it('shows it offline, then catches up from my revision on reconnect', async () => {
      const events: Envelope[] = [];
      const { eventQueries } = fakeServer(events);
      const { socket, raw, joins, fire } = fakeSocket();
      raw.connected = true;
      const live = new LiveBoard(boardId, socket, () => me);
      await live.start();
      await vi.waitFor(() => expect(live.connection).toBe('live'));
      fire('board:events', { boardId, events: [created(3, 'Pushed')] });
      raw.connected = false;
      fire('disconnect', 'transport close');
      expect(live.connection).toBe('offline');

      events.push(created(3, 'Pushed'), created(4, 'Made while I was away'));
      const queriesBefore = eventQueries.length;
      raw.connected = true;
      fire('connect');
      await vi.waitFor(() => expect(live.connection).toBe('live'));
      expect(joins.at(-1)).toEqual({ boardId, afterRevision: 3 });
      expect(eventQueries[queriesBefore]).toContain('after=3');
      expect(titles(live).sort()).toEqual(['Made while I was away', 'Pushed']);
    });
  });

  describe('when events of another board arrive', () => {
    it('ignores them', async () => {
      fakeServer([]);
      const { socket, raw, fire } = fakeSocket();
      raw.connected = true;
      const live = new LiveBoard(boardId, socket, () => me);
      await live.start();
      fire('board:events', { boardId: 'another', events: [created(3, 'Elsewhere')] });
      expect(titles(live)).toEqual([]);
      expect(live.store.revision).toBe(2);
    });
  });
});
