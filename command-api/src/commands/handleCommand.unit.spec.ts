import { randomUUID } from 'node:crypto';
import { DomainError, boardStreamId, type BoardCommand, type CommandMetadata } from '@primetrade/domain';
import {
  WrongExpectedVersionError,
  createInMemoryEventStore,
  createMetrics,
  type EventStore,
} from '@primetrade/platform';
import { describe, expect, it, vi } from 'vitest';
import { createCommandHandler } from './handleCommand.js';
import { countingConflicts } from './conflicts.testkit.js';

const owner = randomUUID();
const stranger = randomUUID();
const meta = (actorId = owner): CommandMetadata => ({ now: '2026-11-28T10:00:00.000Z', actorId });
const opts = (expectedRevision?: number) => ({ correlationId: 'req-1', expectedRevision });

function createBoard(boardId: string, columnId = randomUUID()): BoardCommand {
  return {
    type: 'CreateBoard',
    metadata: meta(),
    data: {
      boardId,
      name: 'Launch',
      columns: [
        { columnId, name: 'To do' },
        { columnId: randomUUID(), name: 'Done', isDone: true },
      ],
    },
  };
}
const rename = (name: string, actorId = owner): BoardCommand => ({
  type: 'RenameBoard',
  data: { name },
  metadata: meta(actorId),
});
const createTask = (taskId: string, title = 'Write docs'): BoardCommand => ({
  type: 'CreateTask',
  data: { taskId, title },
  metadata: meta(),
});

async function revisions(store: EventStore, boardId: string): Promise<number[]> {
  return (await store.readStream(boardStreamId(boardId))).map((event) => Number(event.revision));
}

/** A store whose appends always lose the race, to count the handler's retries. */
function alwaysConflicting(store: EventStore): EventStore & { appends: number } {
  const wrapper = Object.create(store) as EventStore & { appends: number };
  wrapper.appends = 0;
  wrapper.appendToStream = async (streamId) => {
    wrapper.appends++;
    throw new WrongExpectedVersionError(streamId, 0n, 99n);
  };
  return wrapper;
}

/** A store whose first `times` appends lose the race (counted), then append for real. */
function conflicting(store: EventStore, { times }: { times: number }): EventStore & { appends: number } {
  const wrapper = Object.create(store) as EventStore & { appends: number };
  wrapper.appends = 0;
  wrapper.appendToStream = async (...args) => {
    wrapper.appends++;
    if (wrapper.appends <= times) throw new WrongExpectedVersionError(args[0], 0n, 99n);
    return store.appendToStream(...args);
  };
  return wrapper;
}

/** A clock that only moves when the handler pauses, recording each pause. */
function fakeTiming(random: () => number = Math.random) {
  let now = 0;
  const pauses: number[] = [];
  return {
    pauses,
    random,
    now: () => now,
    sleep: async (ms: number) => {
      pauses.push(ms);
      now += ms;
    },
  };
}

function sequence(values: readonly number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length] ?? 0;
}

/** A store whose appends wait until `release()`, recording what each append carried. */
function gated(store: EventStore) {
  const wrapper = Object.create(store) as EventStore;
  const appends: { streamId: string; types: string[]; expected: unknown }[] = [];
  let gate = Promise.resolve();
  let open = (): void => undefined;
  const hold = () => {
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
  };
  let failNext: Error | null = null;
  wrapper.appendToStream = async (...args) => {
    appends.push({ streamId: args[0], types: args[1].map((event) => event.type), expected: args[2]?.expectedRevision });
    await gate;
    if (failNext) {
      const error = failNext;
      failNext = null;
      throw error;
    }
    return store.appendToStream(...args);
  };
  return {
    store: wrapper,
    appends,
    hold,
    release: () => open(),
    failNextWith: (error: Error) => {
      failNext = error;
    },
  };
}

/** Event ids 1, 2, 3…: two handlers given the same commands in the same order make the same ids. */
const countingIds = () => {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
};

/** An answer without `position`: the store's global position, which grouping makes that of the group's append. */
const withoutPosition = (result: Awaited<ReturnType<ReturnType<typeof createCommandHandler>['handle']>>) => ({
  ...result,
  events: result.events.map(({ position: _position, ...event }) => event),
});

describe('handleCommand', () => {
  describe('when a board is created', () => {
    it('appends at no_stream and answers with envelopes, revisions 0..n-1 and the folded state', async () => {
      const store = createInMemoryEventStore();
      const handler = createCommandHandler({ store, newId: randomUUID });
      const boardId = randomUUID();
      const result = await handler.handle(boardId, createBoard(boardId), {
        correlationId: 'corr',
        causationId: 'cause',
      });
      expect(result.events.map((event) => event.type)).toEqual([
        'BoardCreated',
        'MemberAdded',
        'ColumnAdded',
        'ColumnAdded',
      ]);
      expect(result.events.map((event) => event.revision)).toEqual([0, 1, 2, 3]);
      expect(result.revision).toBe(3);
      expect(result.state.status).toBe('active');
      const stored = await store.readStream(boardStreamId(boardId));
      expect(result.events.map((event) => event.id)).toEqual(stored.map((event) => event.id));
      expect(result.events[0]).toMatchObject({
        boardId,
        actorId: owner,
        occurredAt: '2026-11-28T10:00:00.000Z',
        correlationId: 'corr',
        causationId: 'cause',
        schemaVersion: 1,
      });
      expect(stored[0]?.metadata).toMatchObject({ actorId: owner, correlationId: 'corr', causationId: 'cause' });
    });

    it('refuses a second create of the same board', async () => {
      const handler = createCommandHandler({ store: createInMemoryEventStore() });
      const boardId = randomUUID();
      await handler.handle(boardId, createBoard(boardId), opts());
      await expect(handler.handle(boardId, createBoard(boardId), opts())).rejects.toMatchObject({
        code: 'BOARD.ALREADY_EXISTS',
      });
    });
  });

  describe('when the command changes nothing', () => {
    it('appends nothing and answers with the current revision', async () => {
      const store = createInMemoryEventStore();
      const handler = createCommandHandler({ store });
      const boardId = randomUUID();
      await handler.handle(boardId, createBoard(boardId), opts());
      const result = await handler.handle(boardId, rename('Launch'), opts());
      expect(result).toMatchObject({ events: [], revision: 3 });
      expect(await revisions(store, boardId)).toEqual([0, 1, 2, 3]);
    });
  });

  describe('when If-Match is given', () => {
    it('writes when it names the current revision', async () => {
      const handler = createCommandHandler({ store: createInMemoryEventStore() });
      const boardId = randomUUID();
      await handler.handle(boardId, createBoard(boardId), opts());
      const result = await handler.handle(boardId, rename('Renamed'), opts(3));
      expect(result.revision).toBe(4);
    });

    it('answers REVISION.MISMATCH (412) on a stale revision and writes nothing', async () => {
      const store = createInMemoryEventStore();
      const handler = createCommandHandler({ store });
      const boardId = randomUUID();
      await handler.handle(boardId, createBoard(boardId), opts());
      const error = await handler.handle(boardId, rename('Renamed'), opts(2)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'REVISION.MISMATCH', status: 412 });
      expect(await revisions(store, boardId)).toEqual([0, 1, 2, 3]);
    });

    it('answers BOARD.NOT_FOUND, not 412, to a non-member', async () => {
      const handler = createCommandHandler({ store: createInMemoryEventStore() });
      const boardId = randomUUID();
      await handler.handle(boardId, createBoard(boardId), opts());
      await expect(handler.handle(boardId, rename('Mine', stranger), opts(0))).rejects.toMatchObject({
        code: 'BOARD.NOT_FOUND',
      });
    });

    it('answers 412 without retrying when the append loses a race', async () => {
      const inner = createInMemoryEventStore();
      const boardId = randomUUID();
      await createCommandHandler({ store: inner }).handle(boardId, createBoard(boardId), opts());
      const store = alwaysConflicting(inner);
      const handler = createCommandHandler({ store });
      await expect(handler.handle(boardId, rename('Renamed'), opts(3))).rejects.toMatchObject({
        code: 'REVISION.MISMATCH',
      });
      expect(store.appends).toBe(1);
    });
  });

  describe('when several nodes write to one board at once', () => {
    it('re-decides implicit conflicts so every command lands, with contiguous revisions', async () => {
      const store = countingConflicts(createInMemoryEventStore());
      const nodes = [1, 2, 3].map(() => createCommandHandler({ store }));
      const node = (index: number) => nodes[index % nodes.length] ?? createCommandHandler({ store });
      const boardId = randomUUID();
      await node(0).handle(boardId, createBoard(boardId), opts());
      const taskIds = Array.from({ length: 12 }, () => randomUUID());
      const results = await Promise.all(
        taskIds.map((taskId, index) => node(index).handle(boardId, createTask(taskId), opts())),
      );
      expect(results.map((result) => result.revision).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 12 }, (_, index) => 4 + index),
      );
      expect(await revisions(store, boardId)).toEqual(Array.from({ length: 16 }, (_, index) => index));
      expect(store.conflicts).toBeGreaterThan(0);
      const latest = await node(2).load(boardId);
      expect(latest.status === 'active' && Object.keys(latest.tasks).sort()).toEqual([...taskIds].sort());
    });
  });

  describe('when the append keeps losing the race', () => {
    it('re-decides on a fresh read after each conflict and lands after many of them', async () => {
      const inner = createInMemoryEventStore();
      const boardId = randomUUID();
      await createCommandHandler({ store: inner }).handle(boardId, createBoard(boardId), opts());
      const store = conflicting(inner, { times: 40 });
      const timing = fakeTiming();
      const handler = createCommandHandler({ store, timing });
      const result = await handler.handle(boardId, rename('Renamed'), opts());
      expect(result.revision).toBe(4);
      expect(store.appends).toBe(41);
      expect(timing.pauses).toHaveLength(39);
      expect(await revisions(inner, boardId)).toEqual([0, 1, 2, 3, 4]);
    });

    it('refuses with 503 SERVICE.UNAVAILABLE and Retry-After only once the deadline has passed', async () => {
      const inner = createInMemoryEventStore();
      const boardId = randomUUID();
      await createCommandHandler({ store: inner }).handle(boardId, createBoard(boardId), opts());
      const store = conflicting(inner, { times: Infinity });
      const timing = fakeTiming();
      const handler = createCommandHandler({ store, timing, conflictRetry: { deadlineMs: 2_000 } });
      const refusal = await handler.handle(boardId, rename('Renamed'), opts()).catch((error: unknown) => error);
      expect(refusal).toMatchObject({ code: 'SERVICE.UNAVAILABLE', status: 503, headers: { 'Retry-After': '1' } });
      expect(timing.now()).toBeGreaterThanOrEqual(2_000);
      // Paused up to the deadline and not far past it: the last pause is cut to the time left.
      expect(timing.now()).toBeLessThan(2_000 + 1);
      expect(store.appends).toBeGreaterThan(30);
    });

    it('keeps each pause within [base, cap] and lets them grow from the base', async () => {
      const inner = createInMemoryEventStore();
      const boardId = randomUUID();
      await createCommandHandler({ store: inner }).handle(boardId, createBoard(boardId), opts());
      const timing = fakeTiming(sequence([0.999, 0.999, 0.999, 0.999, 0.999, 0.5, 0, 0.25]));
      const handler = createCommandHandler({
        store: conflicting(inner, { times: 200 }),
        timing,
        conflictRetry: { baseMs: 2, capMs: 50 },
      });
      await handler.handle(boardId, rename('Renamed'), opts());
      expect(timing.pauses.length).toBe(199);
      for (const pause of timing.pauses) {
        expect(pause).toBeGreaterThanOrEqual(2);
        expect(pause).toBeLessThanOrEqual(50);
      }
      expect(timing.pauses.slice(0, 4).map(Math.round)).toEqual([6, 18, 50, 50]);
      expect(Math.max(...timing.pauses)).toBeGreaterThan(45);
      expect(Math.min(...timing.pauses)).toBe(2);
    });

    it('takes its pauses outside the board queue: another command of the board goes on meanwhile', async () => {
      const inner = createInMemoryEventStore();
      const boardId = randomUUID();
      await createCommandHandler({ store: inner }).handle(boardId, createBoard(boardId), opts());
      const store = conflicting(inner, { times: 2 });
      let releasePause = (): void => undefined;
      const timing = {
        ...fakeTiming(),
        sleep: () =>
          new Promise<void>((resolve) => {
            releasePause = resolve;
          }),
      };
      const handler = createCommandHandler({ store, timing });
      const slow = handler.handle(boardId, rename('First'), opts());
      await vi.waitFor(() => expect(store.appends).toBe(2));
      // The first command now sleeps after its second conflict; the next one must not wait for it.
      const other = await handler.handle(boardId, createTask(randomUUID()), opts());
      expect(other.revision).toBe(4);
      releasePause();
      expect((await slow).revision).toBe(5);
    });

    it('answers an If-Match conflict with 412 at once, without pausing', async () => {
      const inner = createInMemoryEventStore();
      const boardId = randomUUID();
      await createCommandHandler({ store: inner }).handle(boardId, createBoard(boardId), opts());
      const store = conflicting(inner, { times: Infinity });
      const timing = fakeTiming();
      const handler = createCommandHandler({ store, timing });
      await expect(handler.handle(boardId, rename('Renamed'), opts(3))).rejects.toMatchObject({
        code: 'REVISION.MISMATCH',
        status: 412,
      });
      expect(store.appends).toBe(1);
      expect(timing.pauses).toEqual([]);
    });
  });

  describe('when another node wrote since this node cached the board', () => {
    it('reads the tail from the cached revision and decides on the fresh state', async () => {
      const store = createInMemoryEventStore();
      const [a, b] = [createCommandHandler({ store }), createCommandHandler({ store })];
      const boardId = randomUUID();
      await a.handle(boardId, createBoard(boardId), opts());
      await b.load(boardId);
      const taskId = randomUUID();
      await a.handle(boardId, createTask(taskId), opts());
      const result = await b.handle(boardId, { type: 'CompleteTask', data: { taskId }, metadata: meta() }, opts(4));
      expect(result.revision).toBe(5);
      expect(b.findBoardOfTask(taskId)).toBe(boardId);
    });
  });

  describe('when given several commands', () => {
    it('appends all their events as one batch', async () => {
      const store = createInMemoryEventStore();
      const handler = createCommandHandler({ store });
      const boardId = randomUUID();
      await handler.handle(boardId, createBoard(boardId), opts());
      const both: BoardCommand[] = [
        rename('New name'),
        { type: 'ChangeBoardDescription', data: { description: 'Why' }, metadata: meta() },
      ];
      const result = await handler.handle(boardId, both, opts(3));
      expect(result.events.map((event) => [event.type, event.revision])).toEqual([
        ['BoardRenamed', 4],
        ['BoardDescriptionChanged', 5],
      ]);
    });

    it('appends nothing when any of them is refused', async () => {
      const store = createInMemoryEventStore();
      const handler = createCommandHandler({ store });
      const boardId = randomUUID();
      await handler.handle(boardId, createBoard(boardId), opts());
      const halfBad: BoardCommand[] = [
        rename('New name'),
        { type: 'RenameColumn', data: { columnId: randomUUID(), name: 'x' }, metadata: meta() },
      ];
      await expect(handler.handle(boardId, halfBad, opts())).rejects.toMatchObject({ code: 'COLUMN.NOT_FOUND' });
      expect(await revisions(store, boardId)).toEqual([0, 1, 2, 3]);
    });
  });

  describe('when metrics are given', () => {
    it('records each command with its result', async () => {
      const metrics = createMetrics({ prefix: `t${randomUUID().slice(0, 8)}_` });
      const handler = createCommandHandler({ store: createInMemoryEventStore(), metrics });
      const boardId = randomUUID();
      await handler.handle(boardId, createBoard(boardId), opts());
      await handler.handle(boardId, rename('x', stranger), opts()).catch(() => undefined);
      const values = (await metrics.commandDuration.get()).values.filter((value) =>
        value.metricName?.endsWith('_count'),
      );
      expect(values.map((value) => [value.labels.command, value.labels.result, value.value])).toEqual(
        expect.arrayContaining([
          ['CreateBoard', 'ok', 1],
          ['RenameBoard', 'rejected', 1],
        ]),
      );
    });
  });

  describe('when another node wrote since this node cached the board', () => {
    it('acts on a task it has never seen instead of refusing it from the stale cache', async () => {
      const store = createInMemoryEventStore();
      const [nodeA, nodeB] = [createCommandHandler({ store }), createCommandHandler({ store })];
      const boardId = randomUUID();
      await nodeA.handle(boardId, createBoard(boardId), opts());
      const taskId = randomUUID();
      await nodeB.handle(boardId, createTask(taskId), opts());
      const result = await nodeA.handle(boardId, { type: 'CompleteTask', data: { taskId }, metadata: meta() }, opts());
      expect(result.events.map((event) => event.type)).toEqual(['TaskCompleted']);
      expect(await revisions(store, boardId)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('does not take a change for a no-op because its cache still shows the old value', async () => {
      const store = createInMemoryEventStore();
      const [nodeA, nodeB] = [createCommandHandler({ store }), createCommandHandler({ store })];
      const boardId = randomUUID();
      await nodeA.handle(boardId, createBoard(boardId), opts());
      await nodeB.handle(boardId, rename('Renamed elsewhere'), opts());
      const result = await nodeA.handle(boardId, rename('Launch'), opts());
      expect(result.events.map((event) => event.type)).toEqual(['BoardRenamed']);
      expect(result.state.status !== 'initial' && result.state.name).toBe('Launch');
    });

    it('accepts an If-Match at the store’s revision although its cache is behind', async () => {
      const store = createInMemoryEventStore();
      const [nodeA, nodeB] = [createCommandHandler({ store }), createCommandHandler({ store })];
      const boardId = randomUUID();
      await nodeA.handle(boardId, createBoard(boardId), opts());
      const latest = await nodeB.handle(boardId, rename('Second'), opts());
      const result = await nodeA.handle(boardId, rename('Third'), opts(latest.revision));
      expect(result.revision).toBe(latest.revision + 1);
      await expect(nodeA.handle(boardId, rename('Fourth'), opts(latest.revision))).rejects.toMatchObject({
        code: 'REVISION.MISMATCH',
      });
    });
  });

  describe('when commands of one board queue behind an append (docs/adr/0033-board-lanes.md)', () => {
    const boardWithTasks = async (handler: ReturnType<typeof createCommandHandler>, boardId: string) => {
      await handler.handle(boardId, sameBoard(boardId), opts());
    };
    /** The same CreateBoard for both handlers (createBoard draws fresh column ids). */
    const boards = new Map<string, BoardCommand>();
    const sameBoard = (boardId: string): BoardCommand => {
      if (!boards.has(boardId)) boards.set(boardId, createBoard(boardId));
      return boards.get(boardId)!;
    };
    const queued = (taskIds: readonly string[]): BoardCommand[] => [
      createTask(taskIds[0]!, 'First'),
      createTask(taskIds[1]!, 'Second'),
      { type: 'CompleteTask', data: { taskId: taskIds[0]! }, metadata: meta() },
      createTask(taskIds[2]!, 'Third'),
    ];

    it('appends the waiting ones together and answers each exactly as if it had run alone after the one before', async () => {
      const boardId = randomUUID();
      const taskIds = [randomUUID(), randomUUID(), randomUUID()];
      // One after the other, each awaited: the answers to match.
      const alone = createCommandHandler({ store: createInMemoryEventStore(), newId: countingIds() });
      await boardWithTasks(alone, boardId);
      const expected = [];
      for (const command of queued(taskIds)) expected.push(await alone.handle(boardId, command, opts()));

      const gate = gated(createInMemoryEventStore());
      const grouped = createCommandHandler({ store: gate.store, newId: countingIds() });
      await boardWithTasks(grouped, boardId);
      gate.hold();
      const answers = queued(taskIds).map((command) => grouped.handle(boardId, command, opts()));
      await vi.waitFor(() => expect(gate.appends).toHaveLength(2));
      gate.release();
      const results = await Promise.all(answers);

      expect(results.map(withoutPosition)).toEqual(expected.map(withoutPosition));
      // The first went alone; the three that waited behind it went as one append.
      expect(gate.appends.slice(1).map((append) => append.types)).toEqual([
        ['TaskCreated'],
        ['TaskCreated', 'TaskCompleted', 'TaskCreated'],
      ]);
      expect(gate.appends[2]?.expected).toBe(4n);
      expect(await revisions(gate.store, boardId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      // Each answer's state is the board just after that command, not after the group.
      expect(results[1]?.state.status === 'active' && Object.keys(results[1].state.tasks)).toEqual(taskIds.slice(0, 2));
    });

    it('answers a waiting command that is refused as alone, and appends the ones behind it after it, in order', async () => {
      const gate = gated(createInMemoryEventStore());
      const handler = createCommandHandler({ store: gate.store });
      const boardId = randomUUID();
      await boardWithTasks(handler, boardId);
      const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
      gate.hold();
      const lead = handler.handle(boardId, createTask(first), opts());
      await vi.waitFor(() => expect(gate.appends).toHaveLength(2));
      const followerA = handler.handle(boardId, createTask(second), opts());
      const refused = handler.handle(
        boardId,
        { type: 'CompleteTask', data: { taskId: randomUUID() }, metadata: meta() },
        opts(),
      );
      const followerB = handler.handle(boardId, createTask(third), opts());
      gate.release();
      await lead;
      await expect(refused).rejects.toMatchObject({ code: 'TASK.NOT_FOUND' });
      expect((await followerA).revision).toBe(5);
      expect((await followerB).revision).toBe(6);
      // The refusal cut the group: the one behind it was decided after it, in an append of its own.
      expect(gate.appends.slice(2).map((append) => append.types)).toEqual([['TaskCreated'], ['TaskCreated']]);
    });

    it('does not group a command carrying If-Match: it waits for the store to confirm the revision', async () => {
      const gate = gated(createInMemoryEventStore());
      const handler = createCommandHandler({ store: gate.store });
      const boardId = randomUUID();
      await boardWithTasks(handler, boardId);
      gate.hold();
      const lead = handler.handle(boardId, createTask(randomUUID()), opts());
      await vi.waitFor(() => expect(gate.appends).toHaveLength(2));
      const conditional = handler.handle(boardId, rename('Checked'), opts(4));
      gate.release();
      await lead;
      expect((await conditional).revision).toBe(5);
      expect(gate.appends.slice(2).map((append) => append.types)).toEqual([['BoardRenamed']]);
    });

    it('decides the waiting ones again when their group loses a race: every command lands once', async () => {
      const gate = gated(createInMemoryEventStore());
      const timing = fakeTiming();
      const handler = createCommandHandler({ store: gate.store, timing });
      const boardId = randomUUID();
      await boardWithTasks(handler, boardId);
      const taskIds = [randomUUID(), randomUUID(), randomUUID()];
      gate.hold();
      const lead = handler.handle(boardId, createTask(taskIds[0]!), opts());
      await vi.waitFor(() => expect(gate.appends).toHaveLength(2));
      const behind = taskIds.slice(1).map((taskId) => handler.handle(boardId, createTask(taskId), opts()));
      gate.release();
      await lead;
      gate.failNextWith(new WrongExpectedVersionError(boardStreamId(boardId), 5n, 6n));
      const results = await Promise.all(behind);
      expect(results.map((result) => result.revision).sort()).toEqual([5, 6]);
      const stored = await gate.store.readStream(boardStreamId(boardId));
      expect(
        stored
          .filter((event) => event.type === 'TaskCreated')
          .map((event) => (event.data as { taskId: string }).taskId)
          .sort(),
      ).toEqual([...taskIds].sort());
      expect(await revisions(gate.store, boardId)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });
  });
});
