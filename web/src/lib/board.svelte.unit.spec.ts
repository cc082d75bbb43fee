import { describe, expect, it, vi } from 'vitest';
import type { Envelope } from '@primetrade/domain';
import { BoardStore, type EventFeed } from './board.svelte.js';
import { at, boardView, envelope, me, todo } from './board.testkit.js';

const taskCreated = (revision: number, taskId: string, title: string, position = 'V'): Envelope =>
  envelope(revision, {
    type: 'TaskCreated',
    data: {
      taskId,
      columnId: todo,
      position,
      title,
      description: '',
      priority: 'medium',
      dueDate: null,
      assigneeIds: [],
      labels: [],
    },
  });
const titleChanged = (revision: number, taskId: string, title: string): Envelope =>
  envelope(revision, { type: 'TaskTitleChanged', data: { taskId, title } });

function storeWith(feed: EventFeed = { eventsAfter: async () => ({ events: [], revision: 3 }) }) {
  const store = new BoardStore({ feed, me: () => me, now: () => new Date(at), settleWaitMs: 5 });
  store.load(boardView());
  return store;
}

const taskTitle = (store: BoardStore, taskId: string) =>
  store.state.status === 'initial' ? undefined : store.state.tasks[taskId]?.title;

describe('BoardStore', () => {
  describe('when pushed events arrive', () => {
    it('applies the event whose revision is mine + 1', () => {
      const store = storeWith();
      expect(store.applyEvents([taskCreated(4, 't1', 'Write docs')])).toBe(true);
      expect(store.revision).toBe(4);
      expect(taskTitle(store, 't1')).toBe('Write docs');
    });

    it('ignores events at or below my revision (duplicates)', () => {
      const store = storeWith();
      store.applyEvents([taskCreated(4, 't1', 'Write docs')]);
      store.applyEvents([titleChanged(4, 't1', 'Duplicate'), titleChanged(3, 't1', 'Older')]);
      expect(store.revision).toBe(4);
      expect(taskTitle(store, 't1')).toBe('Write docs');
    });

    it('applies an out-of-order batch in revision order', () => {
      const store = storeWith();
      store.applyEvents([titleChanged(5, 't1', 'Renamed'), taskCreated(4, 't1', 'Write docs')]);
      expect(store.revision).toBe(5);
      expect(taskTitle(store, 't1')).toBe('Renamed');
    });
  });

  describe('when a pushed event skips a revision', () => {
    it('does not apply it and fetches every event after my revision', async () => {
      const eventsAfter = vi.fn(async (after: number) => ({
        events: [taskCreated(4, 't1', 'Write docs'), titleChanged(5, 't1', 'Renamed')].filter(
          (e) => e.revision > after,
        ),
        revision: 5,
      }));
      const store = storeWith({ eventsAfter });
      expect(store.applyEvents([titleChanged(5, 't1', 'Renamed')])).toBe(false);
      expect(store.revision).toBe(3);
      await vi.waitFor(() => expect(store.revision).toBe(5));
      expect(eventsAfter).toHaveBeenCalledWith(3);
      expect(taskTitle(store, 't1')).toBe('Renamed');
    });
  });

  describe('when I make a change', () => {
    it('shows the predicted result before the server answers', async () => {
      const store = storeWith();
      store.applyEvents([taskCreated(4, 't1', 'Write docs')]);
      let answer!: (revision: number) => void;
      const done = store.change(
        { type: 'UpdateTask', data: { taskId: 't1', title: 'Write the docs' } },
        () => new Promise<number>((resolve) => (answer = resolve)),
      );
      expect(taskTitle(store, 't1')).toBe('Write the docs');
      store.applyEvents([titleChanged(5, 't1', 'Write the docs')]);
      answer(5);
      await done;
      expect(store.pendingCount).toBe(0);
      expect(taskTitle(store, 't1')).toBe('Write the docs');
    });

    it('rolls back to the confirmed state when the server refuses it', async () => {
      const store = storeWith();
      store.applyEvents([taskCreated(4, 't1', 'Write docs')]);
      let refuse!: (error: Error) => void;
      const done = store.change(
        { type: 'UpdateTask', data: { taskId: 't1', title: 'Mine' } },
        () => new Promise<number>((_resolve, reject) => (refuse = reject)),
      );
      store.applyEvents([titleChanged(5, 't1', 'Theirs')]);
      expect(taskTitle(store, 't1')).toBe('Mine');
      refuse(new Error('refused'));
      await expect(done).rejects.toThrow('refused');
      expect(store.pendingCount).toBe(0);
      expect(taskTitle(store, 't1')).toBe('Theirs');
      expect(store.revision).toBe(5);
    });

    it('predicts nothing for a change the domain refuses, and still lets the server answer', async () => {
      const store = storeWith();
      store.applyEvents([taskCreated(4, 't1', 'One'), taskCreated(5, 't2', 'Two', 'k')]);
      const send = vi.fn(async () => {
        throw new Error('COLUMN.WIP_LIMIT_REACHED');
      });
      await expect(
        store.change({ type: 'CreateTask', data: { taskId: 'local-1', title: 'Three', columnId: todo } }, send),
      ).rejects.toThrow('COLUMN.WIP_LIMIT_REACHED');
      expect(send).toHaveBeenCalledOnce();
      expect(store.tasksByColumn.get(todo)?.map((task) => task.title)).toEqual(['One', 'Two']);
    });

    it("predicts a move that renumbers a crowded column with the server's own decision, and settles on its events", async () => {
      const store = storeWith();
      const tight = `V${'0'.repeat(10)}1`;
      store.applyEvents([
        taskCreated(4, 't1', 'One'),
        taskCreated(5, 't2', 'Two', tight),
        taskCreated(6, 't3', 'Three', 'W'),
      ]);
      let answer!: (revision: number) => void;
      const done = store.change(
        { type: 'MoveTask', data: { taskId: 't3', columnId: todo, afterId: 't1' } },
        () => new Promise<number>((resolve) => (answer = resolve)),
      );
      const column = () => store.tasksByColumn.get(todo)?.map((task) => [task.id, task.position]);
      expect(column()).toEqual([
        ['t1', 'F'],
        ['t3', 'N'],
        ['t2', 'U'],
      ]);
      store.applyEvents([
        envelope(7, {
          type: 'ColumnPositionsRebalanced',
          data: {
            columnId: todo,
            positions: [
              { taskId: 't1', position: 'F' },
              { taskId: 't2', position: 'U' },
              { taskId: 't3', position: 'j' },
            ],
          },
        }),
        envelope(8, {
          type: 'TaskMoved',
          data: { taskId: 't3', fromColumnId: todo, fromPosition: 'j', toColumnId: todo, position: 'N' },
        }),
      ]);
      answer(8);
      await done;
      expect(store.pendingCount).toBe(0);
      expect(column()).toEqual([
        ['t1', 'F'],
        ['t3', 'N'],
        ['t2', 'U'],
      ]);
    });

    it('keeps an accepted prediction until its events arrive, then fetches them if the push is late', async () => {
      const eventsAfter = vi.fn(async () => ({ events: [taskCreated(4, 'server-id', 'New card')], revision: 4 }));
      const store = storeWith({ eventsAfter });
      await store.change(
        { type: 'CreateTask', data: { taskId: 'local-1', title: 'New card', columnId: todo } },
        async () => 4,
      );
      expect(store.tasksByColumn.get(todo)?.map((task) => task.id)).toEqual(['local-1']);
      expect(store.isPredicted('local-1')).toBe(true);
      await vi.waitFor(() => expect(store.revision).toBe(4));
      expect(eventsAfter).toHaveBeenCalledWith(3);
      expect(store.pendingCount).toBe(0);
      expect(store.tasksByColumn.get(todo)?.map((task) => task.id)).toEqual(['server-id']);
    });
  });
});
