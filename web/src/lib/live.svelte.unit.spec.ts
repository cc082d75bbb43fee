import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BoardViewDto, Envelope, JoinAck } from '@primetrade/domain';
import { joinRetryDelay, LiveBoard } from './live.svelte.js';
import type { RealtimeSocket } from './socket.js';
import { boardId, boardView, envelope, me } from './board.testkit.js';

const view: BoardViewDto = boardView({
  revision: 2,
  columns: [{ id: 'c1', name: 'To do', position: 'V', isDone: false, wipLimit: null }],
});

const created = (revision: number, title: string): Envelope =>
  envelope(revision, {
    type: 'TaskCreated',
    data: {
      taskId: `t${revision}`,
      columnId: 'c1',
      position: `V${revision}`,
      title,
      description: '',
      priority: 'medium',
      dueDate: null,
      assigneeIds: [],
      labels: [],
    },
  });

/** A socket double: records joins, answers them from `acks` (then ok), and lets the test fire server events. */
function fakeSocket(acks: (JoinAck | 'timeout')[] = []) {
  const handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  const joins: unknown[] = [];
  const socket = {
    connected: false,
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
    emit: vi.fn(),
    timeout: () => ({
      emitWithAck: async (_event: string, payload: unknown) => {
        joins.push(payload);
        const ack = acks.shift() ?? { ok: true, revision: 0 };
        if (ack === 'timeout') throw new Error('operation has timed out');
        return ack;
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
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      const path = new URL(url, 'http://test').pathname + new URL(url, 'http://test').search;
      if (path.includes('/events')) {
        eventQueries.push(path);
        const after = Number(new URL(url, 'http://test').searchParams.get('after'));
        const body = {
          events: events.filter((event) => event.revision > after),
          revision: events.at(-1)?.revision ?? 2,
        };
        return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
      }
      return new Response(JSON.stringify(view), { headers: { 'Content-Type': 'application/json', ETag: 'W/"2"' } });
    }),
  );
  return { eventQueries };
}

const titles = (live: LiveBoard) =>
  live.store.state.status === 'initial' ? [] : Object.values(live.store.state.tasks).map((task) => task.title);

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

  describe('when the join is refused for a reason that may pass', () => {
    const quick = { firstMs: 5, maxMs: 20, jitter: 0 };

    it('says it is retrying, retries with backoff and goes live once admitted', async () => {
      fakeServer([]);
      const { socket, raw, joins } = fakeSocket([
        { ok: false, code: 'SERVICE.UNAVAILABLE', message: 'Board membership could not be checked' },
        { ok: false, code: 'READ_MODEL.BEHIND', message: 'behind' },
        'timeout',
      ]);
      raw.connected = true;
      const live = new LiveBoard(boardId, socket, () => me, quick);
      await live.start();
      // The first refusal is answered before start() returns: the status says so, not "refused".
      expect(live.connection).toBe('retrying');
      await vi.waitFor(() => expect(live.connection).toBe('live'));
      expect(joins).toHaveLength(4);
      expect(joins.every((join) => JSON.stringify(join) === JSON.stringify({ boardId, afterRevision: 2 }))).toBe(true);
      live.stop();
    });

    it('gives up only on an authoritative refusal', async () => {
      fakeServer([]);
      const { socket, raw, joins } = fakeSocket([{ ok: false, code: 'BOARD.NOT_FOUND', message: 'Board not found' }]);
      raw.connected = true;
      const live = new LiveBoard(boardId, socket, () => me, quick);
      await live.start();
      expect(live.connection).toBe('refused');
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(joins).toHaveLength(1);
      live.stop();
    });

    it('stops retrying when the board is closed', async () => {
      fakeServer([]);
      const unavailable: JoinAck = { ok: false, code: 'SERVICE.UNAVAILABLE', message: 'down' };
      const { socket, raw, joins } = fakeSocket(Array.from({ length: 50 }, () => unavailable));
      raw.connected = true;
      const live = new LiveBoard(boardId, socket, () => me, quick);
      await live.start();
      expect(live.connection).toBe('retrying');
      live.stop();
      const after = joins.length;
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(joins.length).toBe(after);
    });
  });
});

describe('joinRetryDelay', () => {
  it('doubles from 250 ms up to 5 s', () => {
    const noJitter = { firstMs: 250, maxMs: 5_000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 9].map((attempt) => joinRetryDelay(attempt, noJitter))).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000,
    ]);
  });

  it('spreads each delay by the jitter share', () => {
    const backoff = { firstMs: 1000, maxMs: 5_000, jitter: 0.5 };
    expect(joinRetryDelay(0, backoff, () => 0)).toBe(500);
    expect(joinRetryDelay(0, backoff, () => 0.999)).toBeLessThanOrEqual(1000);
  });
});
