import type { CommandMetadata } from './board.commands.js';
import type { BoardEvent, ColumnPositionsRebalanced } from './board.events.js';
import { evolve } from './board.evolve.js';
import type { ExistingBoard } from './board.guards.js';
import { tasksInColumn } from './board.placement.js';
import { evenlySpacedKeys } from './position.js';

/**
 * The longest task position key a command may create. Keys between the same two neighbours grow by
 * one character per ~6 insertions (each halves the gap; a base-62 digit holds ~6 bits), so a column
 * rebalanced to keys of 1–3 characters takes about 50 adversarial moves between rebalances, while
 * keys stay short enough for cheap comparisons, index entries and payloads. A rebalance rewrites
 * every key of the column, so a much smaller bound would rebalance a busy column often.
 */
export const maxPositionKeyLength = 12;

/** The column's tasks, in their current order, with evenly spaced short keys. */
export function columnRebalanced(board: ExistingBoard, columnId: string): ColumnPositionsRebalanced {
  const tasks = tasksInColumn(board, columnId);
  const keys = evenlySpacedKeys(tasks.length);
  return {
    type: 'ColumnPositionsRebalanced',
    data: { columnId, positions: tasks.map((task, index) => ({ taskId: task.id, position: keys[index] ?? '' })) },
  };
}

/**
 * When `key` is too long: the column's rebalance, then what `decide` makes of the rebalanced board
 * (its key then has at most the rebalanced keys' length plus two). Otherwise null.
 */
export function rebalancedFirst(
  board: ExistingBoard,
  columnId: string,
  key: string,
  metadata: CommandMetadata,
  decide: (rebalanced: ExistingBoard) => BoardEvent[],
): BoardEvent[] | null {
  if (key.length <= maxPositionKeyLength) return null;
  const rebalance = columnRebalanced(board, columnId);
  const recorded = { ...rebalance, revision: board.revision + 1, occurredAt: metadata.now, actorId: metadata.actorId };
  return [rebalance, ...decide(evolve(board, recorded) as ExistingBoard)];
}
