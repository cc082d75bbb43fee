import { describe, expect, it, vi } from 'vitest';
import type { BoardViewDto, ColumnTasksPageDto, Envelope, TaskDto } from '@primetrade/domain';
import { BoardStore, type EventFeed } from './board.svelte.js';
import { at, boardId, boardView, done, envelope, me, todo } from './board.testkit.js';

// A board read by column pages (docs/adr/0023-big-boards-column-pages.md) in the client's store.

const task = (n: number, columnId = todo): TaskDto => ({
  id: `t${String(n).padStart(3, '0')}`,
  boardId,
  columnId,
  position: `a${String(n).padStart(3, '0')}`,
  title: `Task ${n}`,
  description: '',
  priority: 'medium',
  dueDate: null,
  assigneeIds: [],
  labels: [],
  status: 'open',
  archived: false,
  createdBy: me,
  createdAt: at,
  updatedAt: at,
  completedAt: null,
});

/** "To do" holds tasks 0..9 (3 loaded), "Done" holds 100..101 (both loaded), at revision 20. */
function pagedView(revision = 20): BoardViewDto {
  return {
    ...boardView({ revision, name: 'Big', tasks: [task(0), task(1), task(2), task(100, done), task(101, done)] }),
    columnPages: [
      { columnId: todo, taskCount: 10, nextCursor: 'after-2' },
      { columnId: done, taskCount: 2, nextCursor: null },
    ],
  };
}

const moved = (revision: number, n: number, from: string, to: string): Envelope =>
  envelope(revision, {
    type: 'TaskMoved',
    data: { taskId: task(n).id, fromColumnId: from, fromPosition: task(n).position, toColumnId: to, position: 'z' },
  });

const noFeed: EventFeed = { eventsAfter: async () => ({ events: [], revision: 20 }) };

function storeWith(feed: EventFeed = noFeed) {
  const store = new BoardStore({ feed, me: () => me, now: () => new Date(at), settleWaitMs: 5 });
  store.load(pagedView());
  return store;
}

const idsIn = (store: BoardStore, columnId: string) => (store.tasksByColumn.get(columnId) ?? []).map((t) => t.id);
const page = (items: TaskDto[], nextCursor: string | null, revision = 20): ColumnTasksPageDto => ({
  items,
  nextCursor,
  revision,
});

describe('BoardStore with column pages', () => {
  describe('when a paged view is loaded', () => {
    it("shows each column's true count and says which columns hold more", () => {
      const store = storeWith();
      expect(idsIn(store, todo)).toEqual(['t000', 't001', 't002']);
      expect(store.columnCounts.get(todo)).toBe(10);
      expect(store.columnCounts.get(done)).toBe(2);
      expect(store.hasMore(todo)).toBe(true);
      expect(store.hasMore(done)).toBe(false);
      expect(store.complete).toBe(false);
    });

    it('is complete after a whole view', () => {
      const store = storeWith();
      const { columnPages: _pages, ...whole } = pagedView();
      store.load({ ...whole, tasks: [...whole.tasks, ...[3, 4, 5, 6, 7, 8, 9].map((n) => task(n))] });
      expect(store.complete).toBe(true);
      expect(store.hasMore(todo)).toBe(false);
      expect(store.columnCounts.get(todo)).toBe(10);
    });
  });

  describe('when the column scrolls to its end', () => {
    it('loads the next pages from the cursors, in order, until the column is whole', async () => {
      const store = storeWith();
      const fetchPage = vi
        .fn<(cursor: string | undefined) => Promise<ColumnTasksPageDto>>()
        .mockResolvedValueOnce(page([task(3), task(4), task(5)], 'after-5'))
        .mockResolvedValueOnce(page([task(6), task(7), task(8), task(9)], null));
      await store.loadMore(todo, fetchPage);
      expect(store.isLoadingMore(todo)).toBe(false);
      expect(store.columnCounts.get(todo)).toBe(10);
      await store.loadMore(todo, fetchPage);
      expect(fetchPage.mock.calls.map(([cursor]) => cursor)).toEqual(['after-2', 'after-5']);
      expect(idsIn(store, todo)).toEqual(Array.from({ length: 10 }, (_, n) => task(n).id));
      expect(store.hasMore(todo)).toBe(false);
      expect(store.columnCounts.get(todo)).toBe(10);
      await store.loadMore(todo, fetchPage);
      expect(fetchPage).toHaveBeenCalledTimes(2);
    });

    it('asks once at a time per column and keeps its own copy of a task it already holds', async () => {
      const store = storeWith();
      store.applyEvents([envelope(21, { type: 'TaskTitleChanged', data: { taskId: 't001', title: 'Mine' } })]);
      let release: (value: ColumnTasksPageDto) => void = () => undefined;
      const fetchPage = vi.fn(() => new Promise<ColumnTasksPageDto>((resolve) => (release = resolve)));
      const first = store.loadMore(todo, fetchPage);
      const second = store.loadMore(todo, fetchPage);
      expect(store.isLoadingMore(todo)).toBe(true);
      release(page([{ ...task(1), title: 'Stale' }, task(3)], 'after-3', 21));
      await Promise.all([first, second]);
      expect(fetchPage).toHaveBeenCalledTimes(1);
      const state = store.state.status === 'initial' ? null : store.state;
      expect(state?.tasks['t001']?.title).toBe('Mine');
      expect(idsIn(store, todo)).toEqual(['t000', 't001', 't002', 't003']);
      expect(store.columnCounts.get(todo)).toBe(10);
    });

    it('brings a page read at an older revision up to the store with the events in between', async () => {
      const between = moved(21, 4, todo, done);
      const eventsAfter = vi.fn(async (after: number) => ({
        events: [between].filter((event) => event.revision > after),
        revision: 21,
      }));
      const store = storeWith({ eventsAfter });
      store.applyEvents([between]); // task 4 is not loaded: nothing to move, its count moves
      expect(store.columnCounts.get(todo)).toBe(9);
      expect(store.columnCounts.get(done)).toBe(2); // "Done" is loaded whole: the move is not shown there
      await store.loadMore(todo, async () => page([task(3), task(4), task(5)], 'after-5', 20));
      expect(eventsAfter).toHaveBeenCalledWith(20);
      expect(idsIn(store, todo)).toEqual(['t000', 't001', 't002', 't003', 't005']);
      expect(idsIn(store, done)).toEqual(['t100', 't101', 't004']);
    });

    it('folds in events that arrive while it brings a page up to date', async () => {
      const first = envelope(21, { type: 'TaskTitleChanged', data: { taskId: 't003', title: 'First' } });
      const second = envelope(22, { type: 'TaskTitleChanged', data: { taskId: 't003', title: 'Second' } });
      const pushed: { to?: BoardStore } = {};
      const eventsAfter = vi.fn(async (after: number) => {
        if (after === 20) pushed.to?.applyEvents([second]); // pushed while this request is on its way
        return { events: [first, second].filter((event) => event.revision > after), revision: 22 };
      });
      const store = storeWith({ eventsAfter });
      pushed.to = store;
      store.applyEvents([first]);
      await store.loadMore(todo, async () => page([task(3)], 'after-3', 20));
      expect(store.revision).toBe(22);
      const state = store.state.status === 'initial' ? null : store.state;
      expect(state?.tasks['t003']?.title).toBe('Second');
    });
  });

  describe('when events name tasks that are not loaded', () => {
    it('applies them without breaking anything and keeps the counts by the moves', () => {
      const store = storeWith();
      const ok = store.applyEvents([
        envelope(21, { type: 'TaskTitleChanged', data: { taskId: 't007', title: 'Renamed' } }),
        envelope(22, { type: 'TaskArchived', data: { taskId: 't008' } }),
        envelope(23, { type: 'TaskDeleted', data: { taskId: 't009' } }),
        moved(24, 6, todo, done),
      ]);
      expect(ok).toBe(true);
      expect(store.revision).toBe(24);
      expect(idsIn(store, todo)).toEqual(['t000', 't001', 't002']);
      expect(store.columnCounts.get(todo)).toBe(9);
    });

    it('starts the column over after its keys were rebalanced (the cursor no longer means a place)', async () => {
      const store = storeWith();
      store.applyEvents([
        envelope(21, {
          type: 'ColumnPositionsRebalanced',
          data: { columnId: todo, positions: [{ taskId: 't000', position: 'b' }] },
        }),
      ]);
      const fetchPage = vi.fn(async () => page([task(0), task(1), task(2), task(3)], 'after-3', 21));
      await store.loadMore(todo, fetchPage);
      expect(fetchPage).toHaveBeenCalledWith(undefined);
      expect(idsIn(store, todo)).toEqual(['t001', 't002', 't003', 't000']);
      expect(store.hasMore(todo)).toBe(true);
      expect(store.columnCounts.get(todo)).toBe(10);
    });

    it('shows a task created in a partly loaded column and counts it', () => {
      const store = storeWith();
      store.applyEvents([
        envelope(21, {
          type: 'TaskCreated',
          data: {
            taskId: 'tnew',
            columnId: todo,
            position: 'a0005',
            title: 'New',
            description: '',
            priority: 'low',
            dueDate: null,
            assigneeIds: [],
            labels: [],
          },
        }),
      ]);
      expect(idsIn(store, todo)).toContain('tnew');
      expect(store.columnCounts.get(todo)).toBe(11);
    });
  });

  describe('when a task is opened by its link', () => {
    it('merges it and counts it once', async () => {
      const store = storeWith();
      await store.mergeTask(task(8), 20);
      expect(idsIn(store, todo)).toContain('t008');
      expect(store.columnCounts.get(todo)).toBe(10);
    });
  });
});
