import type { Placement } from './board.commands.js';
import type { ExistingBoard } from './board.guards.js';
import { keyBetween } from './position.js';
import { DomainError } from './errors.js';
import type { ErrorCode } from './errors.js';

interface Positioned {
  readonly id: string;
  readonly position: string;
}

/** The gap a new position key must fall into: `lower < key < upper`, null meaning open. */
export interface Slot {
  readonly lower: string | null;
  readonly upper: string | null;
}

const byPosition = (a: Positioned, b: Positioned): number =>
  a.position < b.position ? -1 : a.position > b.position ? 1 : 0;

export const sortByPosition = <T extends Positioned>(items: readonly T[]): T[] => [...items].sort(byPosition);

/** The tasks of a column (archived included: they keep their place), sorted, optionally without one task. */
export const tasksInColumn = (board: ExistingBoard, columnId: string, exceptId?: string) =>
  sortByPosition(Object.values(board.tasks).filter((task) => task.columnId === columnId && task.id !== exceptId));

/**
 * Where a task goes in a column: with an anchor, between its sorted siblings; without one, after the
 * last. The common case (a new card at the end) scans once instead of sorting the column, so its
 * cost stays linear in the board's tasks without the sort's copy and comparisons.
 */
export function taskSlot(board: ExistingBoard, columnId: string, placement: Placement, exceptId?: string): Slot {
  if (placement.afterId !== undefined || placement.beforeId !== undefined) {
    return slotFor(tasksInColumn(board, columnId, exceptId), placement, 'TASK.INVALID_ANCHOR');
  }
  let last: string | null = null;
  for (const id in board.tasks) {
    const task = board.tasks[id];
    if (task === undefined || task.columnId !== columnId || task.id === exceptId) continue;
    if (last === null || task.position > last) last = task.position;
  }
  return { lower: last, upper: null };
}

export const columnsInOrder = (board: ExistingBoard, exceptId?: string) =>
  sortByPosition(Object.values(board.columns).filter((column) => column.id !== exceptId));

function indexOfAnchor(siblings: readonly Positioned[], anchorId: string, code: ErrorCode): number {
  const index = siblings.findIndex((sibling) => sibling.id === anchorId);
  if (index < 0) throw new DomainError(code, `Anchor ${anchorId} is not a sibling here`);
  return index;
}

/** Where `placement` points among sorted `siblings`; no anchor means "at the end". */
export function slotFor(siblings: readonly Positioned[], placement: Placement, code: ErrorCode): Slot {
  const { beforeId, afterId } = placement;
  if (afterId !== undefined) {
    const index = indexOfAnchor(siblings, afterId, code);
    if (beforeId === undefined) {
      return { lower: siblings[index]?.position ?? null, upper: siblings[index + 1]?.position ?? null };
    }
  }
  if (beforeId !== undefined) {
    const index = indexOfAnchor(siblings, beforeId, code);
    return { lower: siblings[index - 1]?.position ?? null, upper: siblings[index]?.position ?? null };
  }
  return { lower: siblings.at(-1)?.position ?? null, upper: null };
}

export const keyIn = (slot: Slot): string => keyBetween(slot.lower, slot.upper);

/** True when `position` already sits in `slot`: a move there changes nothing. */
export const isInSlot = (position: string, slot: Slot): boolean =>
  (slot.lower === null || slot.lower < position) && (slot.upper === null || position < slot.upper);
