import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Placement } from './board.commands.js';
import type { TaskCreated } from './board.events.js';
import type { ExistingBoard } from './board.guards.js';
import type { BoardState } from './board.state.js';
import { evolve, foldBoard, foldStepwise, foldStepwiseOwned, snapshotOf } from './board.evolve.js';
import { slotFor, sortByPosition, taskSlot, tasksInColumn } from './board.placement.js';
import type { Slot } from './board.placement.js';
import { columnEntries } from './column.index.js';
import { DomainError } from './errors.js';
import { created, crowdedStart, intent, playScenario } from './board.scenario.testkit.js';
import { TODO, record } from './board.testkit.js';

const existing = (state: BoardState | undefined): ExistingBoard => {
  if (state === undefined || state.status === 'initial') throw new Error('no board');
  return state;
};

/** The column as a full scan of the board sees it: what the index must agree with. */
const scanned = (board: ExistingBoard, columnId: string, exceptId?: string) =>
  sortByPosition(Object.values(board.tasks).filter((task) => task.columnId === columnId && task.id !== exceptId));

const outcome = (place: () => Slot): Slot | string => {
  try {
    return place();
  } catch (error) {
    if (error instanceof DomainError) return `${error.code}: ${error.message}`;
    throw error;
  }
};

/** Every placement (each anchor before/after, none; each task left out, none) matches `slotFor` over a scan. */
function expectSameSlots(board: ExistingBoard): void {
  const ids = [...Object.keys(board.tasks), 'no-such-task'];
  for (const columnId of Object.keys(board.columns)) {
    const placements: Placement[] = [{}, ...ids.flatMap((id) => [{ afterId: id }, { beforeId: id }])];
    for (const exceptId of [undefined, ...ids.slice(0, 4)]) {
      const siblings = scanned(board, columnId, exceptId);
      expect(tasksInColumn(board, columnId, exceptId).map(({ id, position }) => ({ id, position }))).toEqual(
        siblings.map(({ id, position }) => ({ id, position })),
      );
      for (const placement of placements) {
        const expected = outcome(() => slotFor(siblings, placement, 'TASK.INVALID_ANCHOR'));
        expect(outcome(() => taskSlot(board, columnId, placement, exceptId))).toEqual(expected);
      }
    }
  }
}

const taskAt = (taskId: string, position: string, columnId = TODO): TaskCreated => ({
  type: 'TaskCreated',
  data: {
    ...{ taskId, columnId, position, title: taskId, description: '' },
    ...{ priority: 'medium', dueDate: null, assigneeIds: [], labels: [] },
  },
});

/** A board with one column, To do, holding these cards. */
const todoLog = (...tasks: TaskCreated[]) =>
  record([
    { type: 'BoardCreated', data: { boardId: 'b', name: 'B', description: '' } },
    { type: 'ColumnAdded', data: { columnId: TODO, name: 'To do', position: 'V', isDone: false, wipLimit: null } },
    ...tasks,
  ]);

describe('Column index', () => {
  it.each([
    ['a new board', created],
    ['a board whose columns get rebalanced', crowdedStart],
  ] as const)(
    'places tasks exactly as a scan of the board would, on %s over random commands',
    (_name, start) => {
      fc.assert(
        fc.property(fc.array(intent, { minLength: 10, maxLength: 60 }), (steps) => {
          const { log, states, changes } = playScenario(steps, start());
          for (const { last } of changes.slice(-5)) expectSameSlots(existing(states[last]));
          // A fold from an indexed state carries the index through its in-place draft.
          const from = existing(states[Math.floor(log.length / 2)]);
          for (const columnId of Object.keys(from.columns)) columnEntries(from.tasks, columnId);
          expectSameSlots(existing(foldBoard(log.slice(from.revision + 1), from)));
        }),
        { numRuns: 40 },
      );
    },
    120_000,
  );

  it('changes an index in place only where one board holds it: boards that shared it keep theirs', () => {
    const indexAll = (board: ExistingBoard) => {
      for (const columnId of Object.keys(board.columns)) columnEntries(board.tasks, columnId);
    };
    fc.assert(
      fc.property(fc.array(intent, { minLength: 20, maxLength: 60 }), fc.nat(), (steps, cut) => {
        const { log } = playScenario(steps, created());
        const half = Math.floor(log.length / 2);
        const from = existing(foldBoard(log.slice(0, half)));
        indexAll(from);
        const rest = log.slice(half);
        const branchAt = 1 + (cut % Math.max(1, rest.length - 1));
        // A copy sharing `from`'s index, folded on in place: its first change copies the index, the
        // later ones change that copy where it is.
        const owned = existing(foldStepwise(rest.slice(0, 1), from));
        foldStepwiseOwned(rest.slice(1, branchAt), owned);
        indexAll(owned);
        // A copy sharing its index (a snapshot), and a board derived from it (sharing its untouched
        // columns); then the owned one is folded on.
        const branch = existing(foldBoard(rest.slice(branchAt, branchAt + 1), owned));
        indexAll(branch);
        const snapshot = existing(snapshotOf(owned));
        const [snapshotTasks, branchTasks] = [structuredClone(snapshot.tasks), structuredClone(branch.tasks)];
        foldStepwiseOwned(rest.slice(branchAt), owned);
        expectSameSlots(from);
        expect(snapshot.tasks).toEqual(snapshotTasks);
        expectSameSlots(snapshot);
        expect(branch.tasks).toEqual(branchTasks);
        expectSameSlots(branch);
        expectSameSlots(owned);
        expect(owned.tasks).toEqual(existing(foldBoard(log)).tasks);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('falls back to a scan where two tasks share a position, keeping the scan order', () => {
    const board = existing(foldBoard(todoLog(taskAt('t1', 'V'), taskAt('t2', 'X'))));
    const tied = existing(evolve(board, { ...record([taskAt('t3', 'V')], board.revision + 1)[0]! }));
    expect(columnEntries(board.tasks, TODO)).not.toBeNull();
    expect(columnEntries(tied.tasks, TODO)).toBeNull();
    expectSameSlots(tied);
  });

  it('is not left stale by a fold that changes its draft in place', () => {
    const log = todoLog(taskAt('t1', 'V'), taskAt('t2', 'X'), taskAt('t3', 'Z'));
    const folded = existing(
      foldStepwise(log, undefined, (_event, before) => {
        if (before.status !== 'initial') columnEntries(before.tasks, TODO);
      }),
    );
    expect(columnEntries(folded.tasks, TODO)?.map((entry) => entry.id)).toEqual(['t1', 't2', 't3']);
    expectSameSlots(folded);
  });

  it('is not left stale by a fold onto a board it owns (foldStepwiseOwned)', () => {
    const log = todoLog(taskAt('t1', 'V'), taskAt('t3', 'Z'));
    const board = existing(foldBoard(log));
    columnEntries(board.tasks, TODO);
    const folded = existing(
      foldStepwiseOwned(record([taskAt('t2', 'X')], board.revision + 1), board, (_event, before) => {
        if (before.status !== 'initial') columnEntries(before.tasks, TODO);
      }),
    );
    expect(columnEntries(folded.tasks, TODO)?.map((entry) => entry.id)).toEqual(['t1', 't2', 't3']);
    expectSameSlots(folded);
  });

  it('leaves a frozen board untouched while deriving the next index', () => {
    const board = existing(foldBoard(crowdedStart()));
    columnEntries(board.tasks, 'todo');
    const frozen = Object.freeze({ ...board, tasks: Object.freeze({ ...board.tasks }) });
    columnEntries(frozen.tasks, 'todo');
    const next = existing(evolve(frozen, record([taskAt('t9', 'W', 'todo')], board.revision + 1)[0]!));
    expect(frozen.tasks['t9']).toBeUndefined();
    expect(tasksInColumn(next, 'todo').map((task) => task.id)).toEqual(scanned(next, 'todo').map((task) => task.id));
  });

  it('keeps a rebalanced column indexed: each moved task leaves its old key before any takes a new one', () => {
    // t1..t3 at V, W, X get W, X, Y: one at a time, t1's new W would meet t2's old W.
    const board = existing(foldBoard(todoLog(taskAt('t1', 'V'), taskAt('t2', 'W'), taskAt('t3', 'X'))));
    expect(columnEntries(board.tasks, TODO)).not.toBeNull();
    const positions = [
      { taskId: 't1', position: 'W' },
      { taskId: 't2', position: 'X' },
      { taskId: 't3', position: 'Y' },
    ];
    const [rebalanced] = record(
      [{ type: 'ColumnPositionsRebalanced', data: { columnId: TODO, positions } }],
      board.revision + 1,
    );
    const next = existing(evolve(board, rebalanced!));
    expect(columnEntries(next.tasks, TODO)).toEqual(
      positions.map(({ taskId, position }) => ({ id: taskId, position })),
    );
    expectSameSlots(next);
  });
});
