import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RecordedBoardEvent } from './board.events.js';
import type { BoardState, Task } from './board.state.js';
import { initialBoardState } from './board.state.js';
import { advanceBoard, forkBoard } from './board.chain.js';
import { foldBoard } from './board.evolve.js';
import { columnEntries } from './column.index.js';
import { created, crowdedStart, intent, playScenario } from './board.scenario.testkit.js';
import { OWNER } from './board.testkit.js';

const tasksOf = (state: BoardState) => (state.status === 'initial' ? {} : state.tasks);

/** The log cut into the commands that wrote it (the start's events as one batch). */
function batchesOf(log: readonly RecordedBoardEvent[], changes: readonly { first: number; last: number }[]) {
  const start = changes[0]?.first ?? log.length;
  return [log.slice(0, start), ...changes.map(({ first, last }) => log.slice(first, last + 1))];
}

const at = (state: BoardState) => (state.status === 'initial' ? 0 : state.revision + 1);

/** A card created at the end of the board's stream, in its first column. */
const taskCreated = (state: BoardState, taskId: string, position: string): RecordedBoardEvent[] => [
  {
    type: 'TaskCreated',
    data: {
      taskId,
      columnId: 'todo',
      position,
      title: taskId,
      description: '',
      priority: 'medium',
      dueDate: null,
      assigneeIds: [],
      labels: [],
    },
    revision: at(state),
    occurredAt: '2026-01-02T00:00:00.000Z',
    actorId: OWNER,
  },
];

/** Each key read alone (as a route reads its task) before anything lists the record, then listed. */
function readsOneByOne(
  actual: Readonly<Record<string, Task>>,
  expected: Readonly<Record<string, Task>>,
  more: string[],
) {
  for (const taskId of [...Object.keys(expected), ...more, 'no-such-task', 'toString']) {
    expect(actual[taskId]).toEqual(expected[taskId]);
    expect(Object.hasOwn(actual, taskId)).toBe(Object.hasOwn(expected, taskId));
    expect(taskId in actual).toBe(taskId in expected);
  }
  // Listed in another order, maybe: a task deleted and undone comes back at the end of the keys.
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  expect(JSON.parse(JSON.stringify(actual))).toEqual(JSON.parse(JSON.stringify(expected)));
  expect({ ...actual }).toEqual(expected);
}

describe('advanceBoard', () => {
  it.each([
    ['a new board', created],
    ['a board whose columns get rebalanced', crowdedStart],
  ] as const)(
    'equals the fold at every step on %s, past versions read after later steps included',
    (_name, start) => {
      fc.assert(
        fc.property(
          fc.array(intent, { minLength: 10, maxLength: 80 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          (steps, peeks) => {
            const { log, changes } = playScenario(steps, start());
            const kept: [BoardState, number][] = [];
            let head: BoardState = initialBoardState;
            let folded = 0;
            for (const batch of batchesOf(log, changes)) {
              head = advanceBoard(head, batch);
              folded += batch.length;
              kept.push([head, folded]);
              // Some past versions are read while the chain goes on (each is then rebuilt once).
              const peek = kept[(peeks[kept.length % Math.max(1, peeks.length)] ?? 0) % kept.length];
              if (peek !== undefined) {
                const expected = foldBoard(log.slice(0, peek[1]));
                readsOneByOne(tasksOf(peek[0]), tasksOf(expected), Object.keys(tasksOf(head)));
                expect(peek[0]).toEqual(expected);
              }
              // The head's column index, kept in place, orders each column as one built afresh does
              // (or gives up on it, null: a scan decides; a rebalance's moves may pass by a tie).
              for (const task of Object.values(tasksOf(head))) {
                const kept = columnEntries(tasksOf(head), task.columnId);
                if (kept !== null) expect(kept).toEqual(columnEntries({ ...tasksOf(head) }, task.columnId));
              }
            }
            for (const [state, length] of kept) expect(state).toEqual(foldBoard(log.slice(0, length)));
          },
        ),
        { numRuns: 100 },
      );
    },
    120_000,
  );

  it("changes the head's tasks record in place and rebuilds the past version's own on first read", () => {
    const board = advanceBoard(initialBoardState, created());
    const first = advanceBoard(board, taskCreated(board, 'task-a', 'a0'));
    const second = advanceBoard(first, taskCreated(first, 'task-b', 'a1'));
    const recordOfSecond = tasksOf(second);
    expect(Object.keys(recordOfSecond)).toEqual(['task-a', 'task-b']);
    expect(Object.keys(tasksOf(first))).toEqual(['task-a']);
    expect(tasksOf(first)).not.toBe(recordOfSecond);
    // The same rebuilt record on every later read.
    expect(tasksOf(first)).toBe(tasksOf(first));
    expect(Object.keys(tasksOf(board))).toEqual([]);
    const third = advanceBoard(second, taskCreated(second, 'task-c', 'a2'));
    expect(tasksOf(third)).toBe(recordOfSecond);
    expect(Object.keys(tasksOf(second))).toEqual(['task-a', 'task-b']);
  });

  it('starts a new chain from a past version, leaving the first chain as it was', () => {
    const board = advanceBoard(initialBoardState, created());
    const withA = advanceBoard(board, taskCreated(board, 'task-a', 'a0'));
    const withB = advanceBoard(board, taskCreated(board, 'task-b', 'a0'));
    const withAC = advanceBoard(withA, taskCreated(withA, 'task-c', 'a1'));
    const withBD = advanceBoard(withB, taskCreated(withB, 'task-d', 'a1'));
    expect(Object.keys(tasksOf(withAC))).toEqual(['task-a', 'task-c']);
    expect(Object.keys(tasksOf(withBD))).toEqual(['task-b', 'task-d']);
    expect(Object.keys(tasksOf(withA))).toEqual(['task-a']);
    expect(Object.keys(tasksOf(withB))).toEqual(['task-b']);
    expect(Object.keys(tasksOf(board))).toEqual([]);
  });

  it('never changes the record of a board it did not fold, even when the first batch leaves tasks alone', () => {
    const board = foldBoard([...created(), ...taskCreated(foldBoard(created()), 'task-a', 'a0')]);
    const before = tasksOf(board);
    const renamed = advanceBoard(board, [
      {
        type: 'BoardRenamed',
        data: { name: 'Renamed' },
        revision: at(board),
        occurredAt: '2026-01-02T00:00:00.000Z',
        actorId: OWNER,
      },
    ]);
    advanceBoard(renamed, taskCreated(renamed, 'task-b', 'a1'));
    expect(tasksOf(board)).toBe(before);
    expect(Object.keys(before)).toEqual(['task-a']);
  });

  it('forks a head without touching it: both chains then advance in place, each on its own record', () => {
    const head = advanceBoard(
      advanceBoard(initialBoardState, created()),
      taskCreated(foldBoard(created()), 'task-a', 'a0'),
    );
    const record = tasksOf(head);
    const fork = forkBoard(head, taskCreated(head, 'task-b', 'a1'));
    expect(tasksOf(head)).toBe(record);
    const forkRecord = tasksOf(fork);
    const forkNext = advanceBoard(fork, taskCreated(fork, 'task-c', 'a2'));
    expect(tasksOf(forkNext)).toBe(forkRecord);
    const headNext = advanceBoard(head, taskCreated(head, 'task-d', 'a1'));
    expect(tasksOf(headNext)).toBe(record);
    expect(Object.keys(tasksOf(headNext))).toEqual(['task-a', 'task-d']);
    expect(Object.keys(tasksOf(forkNext))).toEqual(['task-a', 'task-b', 'task-c']);
    expect(Object.keys(tasksOf(fork))).toEqual(['task-a', 'task-b']);
    expect(Object.keys(tasksOf(head))).toEqual(['task-a']);
  });

  it("refuses writes to a past version's tasks", () => {
    const board = advanceBoard(initialBoardState, created());
    const next = advanceBoard(board, taskCreated(board, 'task-a', 'a0'));
    advanceBoard(next, taskCreated(next, 'task-b', 'a1'));
    const past = tasksOf(next) as Record<string, Task>;
    expect(() => {
      past['task-c'] = past['task-a']!;
    }).toThrow(TypeError);
    expect(() => delete past['task-a']).toThrow(TypeError);
    expect(Object.keys(past)).toEqual(['task-a']);
  });
});
