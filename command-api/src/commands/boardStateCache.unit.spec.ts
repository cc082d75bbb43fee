import { randomUUID } from 'node:crypto';
import type { BoardCommand } from '@primetrade/domain';
import { createInMemoryEventStore } from '@primetrade/platform';
import { describe, expect, it } from 'vitest';
import { createBoardStateCache, revisionOf } from './boardStateCache.js';
import { createCommandHandler } from './handleCommand.js';

const actorId = randomUUID();
const metadata = { now: '2026-11-28T10:00:00.000Z', actorId };
const createBoard = (boardId: string): BoardCommand => ({
  type: 'CreateBoard',
  metadata,
  data: { boardId, name: 'B', columns: [{ columnId: randomUUID(), name: 'To do' }] },
});
const createTask = (taskId: string): BoardCommand => ({ type: 'CreateTask', metadata, data: { taskId, title: 'T' } });

describe('Board state cache', () => {
  describe('when a board does not exist', () => {
    it('loads the initial state at revision -1 and keeps nothing', async () => {
      const cache = createBoardStateCache(createInMemoryEventStore());
      const state = await cache.load(randomUUID());
      expect(state.status).toBe('initial');
      expect(revisionOf(state)).toBe(-1);
    });
  });

  describe('when more boards are loaded than it may hold', () => {
    it('forgets the least recently used one', async () => {
      const store = createInMemoryEventStore();
      const writer = createCommandHandler({ store });
      const boards = [randomUUID(), randomUUID(), randomUUID()];
      const tasks = boards.map(() => randomUUID());
      for (const [index, boardId] of boards.entries()) {
        await writer.handle(boardId, createBoard(boardId), { correlationId: 'c' });
        await writer.handle(boardId, createTask(tasks[index] ?? ''), { correlationId: 'c' });
      }
      const cache = createBoardStateCache(store, 2);
      for (const boardId of [boards[0], boards[1], boards[0], boards[2]]) await cache.load(boardId ?? '');
      expect(cache.findBoardOfTask(tasks[0] ?? '')).toBe(boards[0]);
      expect(cache.findBoardOfTask(tasks[1] ?? '')).toBeNull();
      expect(cache.findBoardOfTask(tasks[2] ?? '')).toBe(boards[2]);
    });
  });

  describe('when an older fold finishes after a newer one', () => {
    it('keeps the newer one', async () => {
      const store = createInMemoryEventStore();
      const boardId = randomUUID();
      const writer = createCommandHandler({ store });
      await writer.handle(boardId, createBoard(boardId), { correlationId: 'c' });
      const cache = createBoardStateCache(store);
      const older = await cache.load(boardId);
      const taskId = randomUUID();
      const { events } = await writer.handle(boardId, createTask(taskId), { correlationId: 'c' });
      const newer = cache.apply(boardId, older, events);
      cache.apply(boardId, older, []);
      expect(cache.findBoardOfTask(taskId)).toBe(boardId);
      expect(revisionOf(await cache.load(boardId))).toBe(revisionOf(newer));
    });
  });

  describe('when other writers appended after its fold', () => {
    it('folds the tail into its board in place, and what it answered before still reads as it was', async () => {
      const store = createInMemoryEventStore();
      const boardId = randomUUID();
      const writer = createCommandHandler({ store });
      await writer.handle(boardId, createBoard(boardId), { correlationId: 'c' });
      const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
      await writer.handle(boardId, createTask(first), { correlationId: 'c' });
      const cache = createBoardStateCache(store);
      const before = await cache.load(boardId);
      const { events } = await writer.handle(boardId, createTask(second), { correlationId: 'c' });
      const applied = cache.apply(boardId, before, events);
      // Another node's command: only the store knows it.
      await createCommandHandler({ store }).handle(boardId, createTask(third), { correlationId: 'c' });
      const after = await cache.load(boardId);
      const tasksOf = (state: typeof after) => (state.status === 'initial' ? [] : Object.keys(state.tasks).sort());
      expect(tasksOf(after)).toEqual([first, second, third].sort());
      expect(after).toEqual(await createBoardStateCache(store).load(boardId));
      expect(tasksOf(applied)).toEqual([first, second].sort());
      expect(tasksOf(before)).toEqual([first]);
    });
  });
});
