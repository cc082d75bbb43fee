import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BoardCommand } from './board.commands.js';
import { decide } from './board.decide.js';
import type { BoardEvent, ColumnPositionsRebalanced } from './board.events.js';
import { evolve, foldBoard } from './board.evolve.js';
import type { ExistingBoard } from './board.guards.js';
import { tasksInColumn } from './board.placement.js';
import { columnRebalanced, maxPositionKeyLength } from './board.rebalance.js';
import type { BoardState } from './board.state.js';
import {
  DOING,
  DONE,
  NOW,
  OWNER,
  TODO,
  aBoard,
  command,
  given,
  record,
  taskCreated,
  thrownBy,
} from './board.testkit.js';
import { evenlySpacedKeys, isPositionKey, keyBetween, positionDigits } from './position.js';
import { history, taskIn } from './undo.testkit.js';

/** Two neighbours so close that the key between them is one character past the bound. */
const [tight, tighter] = ['V', `V${'0'.repeat(maxPositionKeyLength - 2)}1`];
const tasksAt = (...keys: string[]) => keys.map((position, index) => taskCreated(`t${index}`, { position }));
const board = (...events: BoardEvent[]) => foldBoard(record([...aBoard(), ...events])) as ExistingBoard;

/** Applies what `decide` answers, as the store would record it. */
function run(state: BoardState, cmd: BoardCommand): { state: BoardState; events: BoardEvent[] } {
  const events = decide(cmd, state);
  let next = state;
  for (const event of events) {
    const revision = next.status === 'initial' ? 0 : next.revision + 1;
    next = evolve(next, { ...event, revision, occurredAt: NOW, actorId: OWNER });
  }
  return { state: next, events };
}

const orderIn = (state: BoardState, columnId: string) =>
  tasksInColumn(state as ExistingBoard, columnId).map((task) => task.id);
const longestKey = (state: BoardState) =>
  Math.max(...Object.values((state as ExistingBoard).tasks).map((task) => task.position.length));

describe('Position rebalancing', () => {
  it('is not needed while the new key stays within the bound', () => {
    expect(keyBetween(tight, tighter).length).toBe(maxPositionKeyLength + 1);
    given(...aBoard(), ...tasksAt('V', 'W', 'X'))
      .when(command('MoveTask', { taskId: 't2', columnId: TODO, afterId: 't0' }))
      .then([
        {
          type: 'TaskMoved',
          data: { taskId: 't2', fromColumnId: TODO, fromPosition: 'X', toColumnId: TODO, position: 'VV' },
        },
      ]);
  });

  it('renumbers the column first, archived tasks included, when a move would pass the bound', () => {
    const archived = { type: 'TaskArchived', data: { taskId: 't3' } } as const;
    given(...aBoard(), ...tasksAt(tight, tighter, 'W', 'X'), archived)
      .when(command('MoveTask', { taskId: 't2', columnId: TODO, afterId: 't0' }))
      .then([
        {
          type: 'ColumnPositionsRebalanced',
          data: {
            columnId: TODO,
            positions: [
              { taskId: 't0', position: 'C' },
              { taskId: 't1', position: 'O' },
              { taskId: 't2', position: 'a' },
              { taskId: 't3', position: 'm' },
            ],
          },
        },
        // Decided on the renumbered column: the move's own key is short, its old key the renumbered one.
        {
          type: 'TaskMoved',
          data: { taskId: 't2', fromColumnId: TODO, fromPosition: 'a', toColumnId: TODO, position: 'I' },
        },
      ]);
  });

  it('renumbers only the target column when a task comes from another one, and still completes it in Done', () => {
    const inDone = [
      taskCreated('d0', { columnId: DONE, position: tight }),
      taskCreated('d1', { columnId: DONE, position: tighter }),
    ];
    given(...aBoard(), taskCreated('t0', { position: 'k' }), ...inDone)
      .when(command('MoveTask', { taskId: 't0', columnId: DONE, afterId: 'd0' }))
      .then([
        {
          type: 'ColumnPositionsRebalanced',
          data: {
            columnId: DONE,
            positions: [
              { taskId: 'd0', position: 'K' },
              { taskId: 'd1', position: 'e' },
            ],
          },
        },
        {
          type: 'TaskMoved',
          data: { taskId: 't0', fromColumnId: TODO, fromPosition: 'k', toColumnId: DONE, position: 'U' },
        },
        { type: 'TaskCompleted', data: { taskId: 't0' } },
      ]);
  });

  it('renumbers before a creation between two tight neighbours', () => {
    const events = given(...aBoard(), ...tasksAt(tight, tighter))
      .when(command('CreateTask', { taskId: 'new', title: 'Squeezed', beforeId: 't1' }))
      .run();
    expect(events.map((event) => event.type)).toEqual(['ColumnPositionsRebalanced', 'TaskCreated']);
    expect(events[1]).toMatchObject({ data: { taskId: 'new', columnId: TODO, position: 'U' } });
  });

  it('keeps the order exactly, renumbering one stretch around the gap, for any column and gap', () => {
    const key = fc
      .array(fc.constantFrom(...positionDigits), { minLength: 1, maxLength: 40 })
      .map((digits) => digits.join(''))
      .filter(isPositionKey);
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 0, maxLength: 200 }), fc.nat(), fc.nat(), (keys, seed, at) => {
        // Tasks created in an order unrelated to their keys, some in another column.
        const created = keys.map((position, index) =>
          taskCreated(`t${(index * 7919 + seed) % 100_003}-${index}`, { position, columnId: index % 5 ? TODO : DONE }),
        );
        const before = board(...created);
        const order = tasksInColumn(before, TODO);
        const gap = at % (order.length + 1);
        const tooLong = keyBetween(order[gap - 1]?.position ?? null, order[gap]?.position ?? null);
        const rebalance = columnRebalanced(before, TODO, tooLong);
        const renumbered = rebalance.data.positions.map((entry) => entry.taskId);
        const from = order.findIndex((task) => task.id === renumbered[0]);
        // One contiguous stretch of the column, holding both neighbours of the gap.
        expect(renumbered).toEqual(order.slice(from, from + renumbered.length).map((task) => task.id));
        if (order.length > 0) expect(from <= Math.max(0, gap - 1) && gap <= from + renumbered.length).toBe(true);
        const after = evolve(before, { ...rebalance, revision: before.revision + 1, occurredAt: NOW, actorId: OWNER });
        expect(orderIn(after, TODO)).toEqual(orderIn(before, TODO));
        expect(orderIn(after, DONE)).toEqual(orderIn(before, DONE));
        expect(rebalance.data.positions.every((entry) => isPositionKey(entry.position))).toBe(true);
        expect(rebalance.data.positions.every((entry) => entry.position.length <= maxPositionKeyLength / 2)).toBe(true);
        const now = tasksInColumn(after as ExistingBoard, TODO);
        const between = keyBetween(now[gap - 1]?.position ?? null, now[gap]?.position ?? null);
        expect(between.length).toBeLessThanOrEqual(maxPositionKeyLength / 2 + 1);
        // Nothing but the keys changes.
        for (const task of Object.values((after as ExistingBoard).tasks)) {
          expect({ ...task, position: '' }).toEqual({ ...before.tasks[task.id], position: '' });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('renumbers only a stretch around the gap in a big column, so the event stays small', () => {
    const keys = evenlySpacedKeys(2_000);
    const crowded = board(...tasksAt(...keys.slice(0, 1_000), `${keys[999]}${'0'.repeat(10)}1`, ...keys.slice(1_000)));
    const events = decide(command('MoveTask', { taskId: 't1500', columnId: TODO, afterId: 't999' }), crowded);
    expect(events.map((event) => event.type)).toEqual(['ColumnPositionsRebalanced', 'TaskMoved']);
    const [rebalance] = events as [ColumnPositionsRebalanced];
    expect(rebalance.data.positions.length).toBeLessThanOrEqual(32);
    expect(rebalance.data.positions.map((entry) => entry.taskId)).toContain('t999');
    expect(rebalance.data.positions.map((entry) => entry.taskId)).toContain('t1000');
  });

  it('keeps every key within the bound over thousands of moves between the same neighbours', () => {
    // The pattern that made 51-character keys: always squeeze the last card in right after the first.
    let state: BoardState = board(...tasksAt('V', 'W', 'X', 'Y', 'Z'));
    let rebalances = 0;
    for (let move = 0; move < 3_000; move++) {
      const order = orderIn(state, TODO);
      const last = order.at(-1)!;
      const result = run(state, command('MoveTask', { taskId: last, columnId: TODO, afterId: order[0] }));
      state = result.state;
      rebalances += result.events.filter((event) => event.type === 'ColumnPositionsRebalanced').length;
      expect(orderIn(state, TODO)).toEqual([order[0], last, ...order.slice(1, -1)]);
      expect(longestKey(state)).toBeLessThanOrEqual(maxPositionKeyLength);
    }
    expect(rebalances).toBeGreaterThan(3_000 / 100);
  });

  it('keeps every key within the bound over thousands of random moves and creations in a crowded column', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { minLength: 2_000, maxLength: 2_000 }),
        (steps) => {
          let state: BoardState = board(...tasksAt('V', 'W'));
          for (const [index, [which, anchor, create]] of steps.entries()) {
            const order = orderIn(state, TODO);
            // Anchors near the top of the column, where the keys get tight.
            const anchorId = order[anchor % Math.min(3, order.length)]!;
            const cmd =
              create && order.length < 60
                ? command('CreateTask', { taskId: `n${index}`, title: 'New', afterId: anchorId })
                : command('MoveTask', { taskId: order[which % order.length]!, columnId: TODO, afterId: anchorId });
            if (cmd.type === 'MoveTask' && cmd.data.taskId === anchorId) continue;
            state = run(state, cmd).state;
            expect(longestKey(state)).toBeLessThanOrEqual(maxPositionKeyLength);
          }
        },
      ),
      { numRuns: 5 },
    );
  });

  describe('undo', () => {
    it('puts back a move that triggered a rebalance, in the renumbered column, and leaves the renumbering', () => {
      const before = board(...tasksAt(tight, tighter, 'W', 'X'));
      const change = decide(command('MoveTask', { taskId: 't2', columnId: TODO, afterId: 't0' }), before);
      expect(change.map((event) => event.type)).toEqual(['ColumnPositionsRebalanced', 'TaskMoved']);
      const board2 = history([...aBoard(), ...tasksAt(tight, tighter, 'W', 'X')], change);
      const undo = board2.undo(-1);
      expect(undo).toEqual([
        {
          type: 'TaskMoved',
          data: { taskId: 't2', fromColumnId: TODO, fromPosition: 'I', toColumnId: TODO, position: 'a' },
        },
      ]);
      const after = board2.after(undo);
      expect(orderIn(after, TODO)).toEqual(['t0', 't1', 't2', 't3']);
      expect(taskIn(after, 't0')?.position).toBe('C');
    });

    const renumbered = (...positions: [string, string][]): BoardEvent => ({
      type: 'ColumnPositionsRebalanced',
      data: { columnId: TODO, positions: positions.map(([taskId, position]) => ({ taskId, position })) },
    });
    const moved = (taskId: string, from: [string, string], to: [string, string]): BoardEvent => ({
      type: 'TaskMoved',
      data: { taskId, fromColumnId: from[0], fromPosition: from[1], toColumnId: to[0], position: to[1] },
    });
    const threeInTodo = [...aBoard(), ...tasksAt('V', 'W', 'X'), taskCreated('d', { columnId: DOING })];

    it('puts back a move made before its column was renumbered: a renumbered key is not a move', () => {
      const board2 = history(
        threeInTodo,
        [moved('d', [DOING, 'V'], [TODO, 'VV'])],
        [renumbered(['t0', 'C'], ['d', 'O'], ['t1', 'a'], ['t2', 'm'])],
      );
      expect(board2.undo(-2)).toEqual([moved('d', [TODO, 'O'], [DOING, 'V'])]);
    });

    it('still refuses when the task was moved as well as renumbered since', () => {
      const board2 = history(
        threeInTodo,
        [moved('d', [DOING, 'V'], [TODO, 'VV'])],
        [moved('d', [TODO, 'VV'], [TODO, 'Y'])],
        [renumbered(['t0', 'C'], ['t1', 'O'], ['t2', 'a'], ['d', 'm'])],
      );
      expect(thrownBy(() => board2.undo(-3)).message).toBe('“Task d” was moved again since');
    });

    it('puts a card back beside its former neighbours in a column renumbered since, not at its old key', () => {
      const board2 = history(
        threeInTodo,
        [moved('t0', [TODO, 'V'], [DOING, 'W'])],
        [renumbered(['t1', 'K'], ['t2', 'e'])],
      );
      const undo = board2.undo(-2);
      expect(undo).toEqual([moved('t0', [DOING, 'W'], [TODO, 'J'])]);
      expect(orderIn(board2.after(undo), TODO)).toEqual(['t0', 't1', 't2']);
    });

    it('brings a deleted card back beside its former neighbours in a column renumbered since', () => {
      const board2 = history(
        threeInTodo,
        [{ type: 'TaskDeleted', data: { taskId: 't0' } }],
        [renumbered(['t1', 'K'], ['t2', 'e'])],
      );
      const undo = board2.undo(-2);
      expect(undo).toMatchObject([{ type: 'TaskReinstated', data: { taskId: 't0', task: { position: 'J' } } }]);
      expect(orderIn(board2.after(undo), TODO)).toEqual(['t0', 't1', 't2']);
    });

    it('deletes a created card that was only renumbered since', () => {
      const board2 = history(
        threeInTodo,
        [taskCreated('new', { position: 'WV' })],
        [renumbered(['t0', 'C'], ['t1', 'O'], ['new', 'a'], ['t2', 'm'])],
      );
      expect(board2.undo(-2)).toEqual([{ type: 'TaskDeleted', data: { taskId: 'new' } }]);
    });

    it('of the rebalance alone compensates nothing: the order is what it was', () => {
      const before = board(...tasksAt(tight, tighter));
      const board2 = history(
        [...aBoard(), ...tasksAt(tight, tighter)],
        [columnRebalanced(before, TODO, keyBetween(tight, tighter))],
      );
      expect(board2.undo(-1)).toEqual([]);
    });
  });
});
