import {
  advanceBoard,
  decide,
  evenlySpacedKeys,
  evolve,
  foldBoard,
  type BoardCommand,
  type BoardState,
  type RecordedBoardEvent,
} from '@primetrade/domain';
import { interleaved, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';

/**
 * B14: the domain's own cost per command (decide + evolve, in process, no I/O) on a small board and
 * on big ones, interleaved in the same run; and decide + `advanceBoard`, the command node's fold.
 * Each sample creates a task at the end of a column and moves another after an anchor in the next
 * column, `commandsPerSample` times, from the same board.
 */
const columns = ['todo', 'doing', 'review', 'qa', 'done'];
const commandsPerSample = 400;
const owner = 'user-owner';
const at = '2026-03-01T12:00:00.000Z';

export const domainBoardSizes = { small: 50, medium: 400, large: 5_000 } as const;

function boardOf(tasks: number): BoardState {
  const events: Omit<RecordedBoardEvent, 'revision'>[] = [
    { type: 'BoardCreated', data: { boardId: 'b14', name: 'B14', description: '' }, occurredAt: at, actorId: owner },
    { type: 'MemberAdded', data: { userId: owner, role: 'owner' }, occurredAt: at, actorId: owner },
    ...columns.map((columnId, index) => ({
      type: 'ColumnAdded' as const,
      data: {
        columnId,
        name: columnId,
        position: evenlySpacedKeys(columns.length)[index]!,
        isDone: false,
        wipLimit: null,
      },
      occurredAt: at,
      actorId: owner,
    })),
  ];
  const perColumn = Math.ceil(tasks / columns.length);
  const keys = evenlySpacedKeys(perColumn);
  for (let index = 0; index < tasks; index++) {
    const data = {
      taskId: `t${index}`,
      columnId: columns[index % columns.length]!,
      position: keys[Math.floor(index / columns.length)]!,
      title: `Task ${index}`,
      description: '',
      priority: 'medium' as const,
      dueDate: null,
      assigneeIds: [],
      labels: [],
    };
    events.push({ type: 'TaskCreated', data, occurredAt: at, actorId: owner });
  }
  return foldBoard(events.map((event, revision) => ({ ...event, revision }) as RecordedBoardEvent));
}

/** How a command's events are folded: `evolve` (a copy of the touched record per event) or in place. */
type Fold = 'evolve' | 'chain';

function applied(state: BoardState, command: BoardCommand, fold: Fold): BoardState {
  const revision = state.status === 'initial' ? -1 : state.revision;
  const events = decide(command, state).map((event, index) => ({
    ...event,
    revision: revision + 1 + index,
    occurredAt: at,
    actorId: owner,
  }));
  // The command node's fold (docs/adr/0038-board-version-chains.md): the board it returned last is
  // advanced in place; the sample's first command forks the shared starting board (one copy).
  return fold === 'chain' ? advanceBoard(state, events) : events.reduce(evolve, state);
}

/** Microseconds per command (a creation and a move alternate) on a board of `tasks` tasks. */
function sample(board: BoardState, tasks: number, fold: Fold): number {
  const metadata = { now: at, actorId: owner };
  let state = board;
  const start = performance.now();
  for (let index = 0; index < commandsPerSample / 2; index++) {
    const columnId = columns[index % columns.length]!;
    const create: BoardCommand = {
      type: 'CreateTask',
      data: { taskId: `new${index}`, columnId, title: 'New' },
      metadata,
    };
    state = applied(state, create, fold);
    const moved = `t${(index * 7) % tasks}`;
    const anchor = `t${(index * 7 + 1) % tasks}`;
    const target = state.status === 'initial' ? columnId : (state.tasks[anchor]?.columnId ?? columnId);
    state = applied(
      state,
      { type: 'MoveTask', data: { taskId: moved, columnId: target, afterId: anchor }, metadata },
      fold,
    );
  }
  return ((performance.now() - start) * 1000) / commandsPerSample;
}

export async function benchDomain(pairs: number): Promise<RatioResult[]> {
  const { small, medium, large } = domainBoardSizes;
  const boards = { small: boardOf(small), medium: boardOf(medium), large: boardOf(large) };
  for (let warm = 0; warm < 3; warm++)
    for (const fold of ['evolve', 'chain'] as const)
      [small, medium, large].forEach((n, i) => sample(Object.values(boards)[i]!, n, fold));
  const compare = (name: string, size: number, board: BoardState, fold: Fold) =>
    interleaved({
      name,
      unit: 'µs/command',
      pairs,
      baseline: { label: `${small} tasks`, run: async () => sample(boards.small, small, fold) },
      subject: { label: `${size} tasks`, run: async () => sample(board, size, fold) },
      goal: 'near 1× (cost flat in board size)',
      log,
    });
  return [
    await compare(`B14 decide+evolve, ${medium} vs ${small} tasks`, medium, boards.medium, 'evolve'),
    await compare(`B14 decide+evolve, ${large} vs ${small} tasks`, large, boards.large, 'evolve'),
    await compare(
      `B14 decide+advanceBoard (the command node's fold), ${large} vs ${small} tasks`,
      large,
      boards.large,
      'chain',
    ),
  ];
}
