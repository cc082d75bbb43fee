import type { ExistingBoard } from './board.guards.js';
import type { Task } from './board.state.js';
import { keyBetween } from './position.js';
import { quoted } from './describe.shared.js';
import { DomainError } from './errors.js';
import type { LaterMove } from './undo.renumbered.js';

/**
 * One event of the change being undone, with the board as it was just before that event
 * (`prior`) and as it is now with the compensations decided so far applied (`current`).
 */
export interface UndoStep<E> {
  readonly event: E;
  readonly prior: ExistingBoard;
  readonly current: ExistingBoard;
  /** Moves and renumberings appended after the change (undo.renumbered.ts); none when unknown. */
  readonly later?: readonly LaterMove[];
}

/** Later changes make the undo unsafe: refused, and the reason says which. */
export const unsafe = (reason: string): DomainError => new DomainError('UNDO.UNSAFE', reason);

export function refuseUnless(condition: boolean, reason: string): asserts condition {
  if (!condition) throw unsafe(reason);
}

/** How the change names a task: its title before the change, its id when it had none. */
export const taskName = (step: UndoStep<unknown>, taskId: string): string =>
  quoted(step.prior.tasks[taskId]?.title ?? step.current.tasks[taskId]?.title ?? taskId);

export const columnName = (board: ExistingBoard, columnId: string): string =>
  quoted(board.columns[columnId]?.name ?? columnId);

/**
 * The task as it is now, present and not archived: what a field compensation needs. A task the
 * change itself found archived may stay so (removing a member unassigns them from archived tasks
 * too, and undoing that assigns them back).
 */
export function liveTaskNow(step: UndoStep<unknown>, taskId: string): Task {
  const task = step.current.tasks[taskId];
  refuseUnless(task !== undefined, `${taskName(step, taskId)} was deleted since`);
  const archivedSince = task.archived && step.prior.tasks[taskId]?.archived !== true;
  refuseUnless(!archivedSince, `${taskName(step, taskId)} is archived now; restore it first`);
  return task;
}

export const userName = (userId: string): string => `user ${userId}`;

/**
 * The old position key when no sibling holds it now; otherwise a key right after the sibling
 * that took it, so the order around it is what it was.
 */
export function freePosition(key: string, siblingKeys: readonly string[]): string {
  if (!siblingKeys.includes(key)) return key;
  const next = siblingKeys.filter((sibling) => sibling > key).sort()[0] ?? null;
  return keyBetween(key, next);
}

/** Structural equality of JSON-like values, key order aside. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(
    (key) =>
      Object.hasOwn(b, key) && sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
