import type { CommandMetadata } from './board.commands.js';
import type { BoardEvent, ColumnPositionsRebalanced } from './board.events.js';
import { evolve } from './board.evolve.js';
import type { ExistingBoard } from './board.guards.js';
import { tasksInColumn } from './board.placement.js';
import { evenlySpacedBetween } from './position.js';

/**
 * The longest task position key a command may create. Keys between the same two neighbours grow by
 * one character per ~6 insertions (each halves the gap; a base-62 digit holds ~6 bits). Renumbered
 * keys get at most half of it, so a rebalanced stretch takes about 36 adversarial moves before the
 * next rebalance, while every key stays short for comparisons, index entries and payloads.
 */
export const maxPositionKeyLength = 12;
const rebalancedKeyLength = maxPositionKeyLength / 2;
/** Tasks renumbered on each side of the crowded gap at first; doubled until short keys fit. */
const firstReach = 8;

/**
 * New evenly spaced keys, in the order they had, for the tasks around where `key` (too long) would
 * go in the column: the fewest around it whose outer neighbours leave room for short keys, up to
 * the whole column, so the event stays small on a big board. Both neighbours of `key` are renumbered
 * (archived tasks too: they keep their place), so a key between them is short again.
 */
export function columnRebalanced(board: ExistingBoard, columnId: string, key: string): ColumnPositionsRebalanced {
  const tasks = tasksInColumn(board, columnId);
  const gap = tasks.filter((task) => task.position < key).length;
  for (let reach = firstReach; reach < 2 * (tasks.length + firstReach); reach *= 2) {
    const [from, to] = [Math.max(0, gap - reach), Math.min(tasks.length, gap + reach)];
    const lower = tasks[from - 1]?.position ?? null;
    const upper = tasks[to]?.position ?? null;
    const keys = evenlySpacedBetween(lower, upper, to - from, rebalancedKeyLength);
    if (keys !== null) {
      const positions = tasks.slice(from, to).map((task, index) => ({ taskId: task.id, position: keys[index] ?? '' }));
      return { type: 'ColumnPositionsRebalanced', data: { columnId, positions } };
    }
  }
  throw new RangeError(`Cannot renumber the ${tasks.length} tasks of column ${columnId}`);
}

/**
 * When `key` is too long: the rebalance around it, then what `decide` makes of the rebalanced board
 * (its key then falls between two renumbered neighbours, so it is at most one character longer
 * than theirs). Otherwise null.
 */
export function rebalancedFirst(
  board: ExistingBoard,
  columnId: string,
  key: string,
  metadata: CommandMetadata,
  decide: (rebalanced: ExistingBoard) => BoardEvent[],
): BoardEvent[] | null {
  if (key.length <= maxPositionKeyLength) return null;
  const rebalance = columnRebalanced(board, columnId, key);
  const recorded = { ...rebalance, revision: board.revision + 1, occurredAt: metadata.now, actorId: metadata.actorId };
  return [rebalance, ...decide(evolve(board, recorded) as ExistingBoard)];
}
