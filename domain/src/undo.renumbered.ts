import type { ColumnPositionsRebalanced, RecordedBoardEvent, TaskMoved } from './board.events.js';
import type { ExistingBoard } from './board.guards.js';
import { sortByPosition } from './board.placement.js';
import { keyBetween } from './position.js';

/** The moves and renumberings appended after a change: what tells a renumbered key from a move. */
export type LaterMove = RecordedBoardEvent & (ColumnPositionsRebalanced | TaskMoved);

export const laterMovesOf = (events: readonly RecordedBoardEvent[]): LaterMove[] =>
  events.filter(
    (event): event is LaterMove => event.type === 'ColumnPositionsRebalanced' || event.type === 'TaskMoved',
  );

/** True when the task's key changed since only because its column was renumbered, never by a move. */
export function onlyRenumbered(later: readonly LaterMove[], taskId: string): boolean {
  const renumbered = later.some(
    (event) =>
      event.type === 'ColumnPositionsRebalanced' && event.data.positions.some((entry) => entry.taskId === taskId),
  );
  return renumbered && !later.some((event) => event.type === 'TaskMoved' && event.data.taskId === taskId);
}

export const columnRenumbered = (later: readonly LaterMove[], columnId: string): boolean =>
  later.some((event) => event.type === 'ColumnPositionsRebalanced' && event.data.columnId === columnId);

/**
 * A key for the task back in `columnId` of a board whose keys were renumbered since `prior`: right
 * after the card that preceded it in `prior` if that card is still there, else right before the one
 * that followed it, else at the end. Old keys mean nothing in the new numbering; neighbours do.
 */
export function besideFormerNeighbours(
  prior: ExistingBoard,
  current: ExistingBoard,
  taskId: string,
  columnId: string,
): string {
  const siblings = (board: ExistingBoard) =>
    sortByPosition(Object.values(board.tasks).filter((task) => task.columnId === columnId && task.id !== taskId));
  const was = prior.tasks[taskId]?.position ?? '';
  const before = siblings(prior).filter((task) => task.position < was);
  const after = siblings(prior).filter((task) => task.position > was);
  const now = siblings(current);
  const at = (id: string | undefined) => now.findIndex((task) => task.id === id);
  const predecessor = at(before.at(-1)?.id);
  if (predecessor >= 0) return keyBetween(now[predecessor]!.position, now[predecessor + 1]?.position ?? null);
  const successor = at(after[0]?.id);
  if (successor >= 0) return keyBetween(now[successor - 1]?.position ?? null, now[successor]!.position);
  return keyBetween(now.at(-1)?.position ?? null, null);
}
