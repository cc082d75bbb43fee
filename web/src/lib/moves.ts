import type { Anchor } from './api.js';

export type MoveDirection = 'up' | 'down' | 'left' | 'right';

export interface Move {
  readonly columnId: string;
  readonly anchor: Anchor;
}

interface Identified {
  readonly id: string;
}

/** Placement at `index` among `siblings` (the moved card already taken out). */
export function anchorAt(siblings: readonly Identified[], index: number): Anchor {
  const before = siblings[index];
  if (before !== undefined) return { beforeTaskId: before.id };
  const last = siblings.at(-1);
  return last === undefined ? {} : { afterTaskId: last.id };
}

/**
 * Where a keyboard move takes a card, among the cards shown: up/down swaps with its neighbour,
 * left/right goes to the adjacent column at the same height. Null when it cannot go that way.
 */
export function keyboardMove(
  columnIds: readonly string[],
  shown: ReadonlyMap<string, readonly Identified[]>,
  taskId: string,
  direction: MoveDirection,
): Move | null {
  const columnIndex = columnIds.findIndex((id) => shown.get(id)?.some((task) => task.id === taskId));
  const columnId = columnIds[columnIndex];
  if (columnId === undefined) return null;
  const here = shown.get(columnId) ?? [];
  const index = here.findIndex((task) => task.id === taskId);
  const others = here.filter((task) => task.id !== taskId);
  if (direction === 'up') return index === 0 ? null : { columnId, anchor: anchorAt(others, index - 1) };
  if (direction === 'down') return index === here.length - 1 ? null : { columnId, anchor: anchorAt(others, index + 1) };
  const target = columnIds[columnIndex + (direction === 'left' ? -1 : 1)];
  if (target === undefined) return null;
  return { columnId: target, anchor: anchorAt(shown.get(target) ?? [], index) };
}

/** Where a dragged card dropped at `index` of `shown` (which may still contain it) lands. */
export function dropAnchor(shown: readonly Identified[], taskId: string, index: number): Anchor {
  const from = shown.findIndex((task) => task.id === taskId);
  const others = shown.filter((task) => task.id !== taskId);
  return anchorAt(others, from >= 0 && from < index ? index - 1 : index);
}
