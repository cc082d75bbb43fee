import type { Placement } from './board.commands.js';
import type { ExistingBoard } from './board.guards.js';
import { keyBetween } from './position.js';
import { DomainError } from './errors.js';
import type { ErrorCode } from './errors.js';
import { columnEntries, indexOfEntry } from './column.index.js';
import type { Positioned } from './column.index.js';

/** The gap a new position key must fall into: `lower < key < upper`, null meaning open. */
export interface Slot {
  readonly lower: string | null;
  readonly upper: string | null;
}

const byPosition = (a: Positioned, b: Positioned): number =>
  a.position < b.position ? -1 : a.position > b.position ? 1 : 0;

export const sortByPosition = <T extends Positioned>(items: readonly T[]): T[] => [...items].sort(byPosition);

const scannedColumn = (board: ExistingBoard, columnId: string, exceptId?: string): Positioned[] =>
  sortByPosition(Object.values(board.tasks).filter((task) => task.columnId === columnId && task.id !== exceptId));

/** The tasks of a column (archived included: they keep their place), sorted, optionally without one task. */
export function tasksInColumn(board: ExistingBoard, columnId: string, exceptId?: string): Positioned[] {
  const entries = columnEntries(board.tasks, columnId);
  if (entries === null) return scannedColumn(board, columnId, exceptId);
  return entries.filter((entry) => entry.id !== exceptId);
}

/** The position at `index`, or its neighbour `step` away when `index` holds the task being placed. */
function positionSkipping(entries: readonly Positioned[], index: number, step: number, exceptId?: string) {
  const entry = entries[index];
  const kept = entry !== undefined && entry.id === exceptId ? entries[index + step] : entry;
  return kept?.position ?? null;
}

function anchorIndex(board: ExistingBoard, entries: readonly Positioned[], columnId: string, anchorId: string) {
  const anchor = Object.hasOwn(board.tasks, anchorId) ? board.tasks[anchorId] : undefined;
  const index = anchor?.columnId === columnId ? indexOfEntry(entries, anchorId, anchor.position) : -1;
  if (index < 0) throw new DomainError('TASK.INVALID_ANCHOR', `Anchor ${anchorId} is not a sibling here`);
  return index;
}

/**
 * Where a task goes in a column: with an anchor, between its sorted siblings; without one, after the
 * last. Reads the column's index (column.index.ts): a binary search, not a scan of the board. Same
 * slot as `slotFor` over the column without `exceptId`.
 */
export function taskSlot(board: ExistingBoard, columnId: string, placement: Placement, exceptId?: string): Slot {
  const entries = columnEntries(board.tasks, columnId);
  if (entries === null) return slotFor(scannedColumn(board, columnId, exceptId), placement, 'TASK.INVALID_ANCHOR');
  const anchor = (anchorId: string) => {
    if (anchorId === exceptId) throw new DomainError('TASK.INVALID_ANCHOR', `Anchor ${anchorId} is not a sibling here`);
    return anchorIndex(board, entries, columnId, anchorId);
  };
  const { afterId, beforeId } = placement;
  if (afterId !== undefined) {
    const index = anchor(afterId);
    if (beforeId === undefined) {
      return { lower: entries[index]?.position ?? null, upper: positionSkipping(entries, index + 1, 1, exceptId) };
    }
  }
  if (beforeId !== undefined) {
    const index = anchor(beforeId);
    return { lower: positionSkipping(entries, index - 1, -1, exceptId), upper: entries[index]?.position ?? null };
  }
  return { lower: positionSkipping(entries, entries.length - 1, -1, exceptId), upper: null };
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
