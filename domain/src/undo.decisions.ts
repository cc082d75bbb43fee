import type { CommandMetadata, UndoChange } from './board.commands.js';
import type { BoardEvent, RecordedBoardEvent } from './board.events.js';
import { evolve, foldBoard } from './board.evolve.js';
import type { ExistingBoard } from './board.guards.js';
import { requireActive, requireBoard, requireRole } from './board.guards.js';
import type { BoardState } from './board.state.js';
import { DomainError } from './errors.js';
import { undoBoardEvent } from './undo.board.js';
import { laterMovesOf } from './undo.renumbered.js';
import { undoTaskEvent } from './undo.tasks.js';

const ownerOnly = new Set<RecordedBoardEvent['type']>([
  'BoardArchived',
  'BoardRestored',
  'MemberAdded',
  'MemberRoleChanged',
  'MemberRemoved',
]);

/** Editors undo their own changes; owners any change, and whatever needed the owner in the first place. */
function requireMayUndo(board: ExistingBoard, change: readonly RecordedBoardEvent[], actorId: string): void {
  const someoneElses = change.some((event) => event.actorId !== actorId);
  requireRole(board, actorId, someoneElses || change.some((event) => ownerOnly.has(event.type)) ? 'owner' : 'editor');
  // Only bringing an archived board back is allowed while it is archived.
  if (!(change.length === 1 && change[0]?.type === 'BoardArchived')) requireActive(board);
}

/** The board just before each event of the change, then just after the last. */
function statesThrough(change: readonly RecordedBoardEvent[], before: BoardState): ExistingBoard[] {
  const states: BoardState[] = [before];
  for (const event of change) states.push(evolve(states.at(-1) ?? before, event));
  return states.filter((state): state is ExistingBoard => state.status !== 'initial');
}

/**
 * Undo of one change (the events one request appended): compensating events decided against
 * the board as it is now, last event first. Each field must still hold what the change set;
 * otherwise a later change would be overwritten, and the undo is refused with the reason.
 */
export function undoChange(command: UndoChange, state: BoardState): BoardEvent[] {
  const { change, before } = command.data;
  const later = laterMovesOf(command.data.laterMoves ?? []);
  const { actorId, now } = command.metadata;
  let current = requireBoard(state, actorId);
  if (change.length === 0) throw new DomainError('UNDO.CHANGE_NOT_FOUND', 'There is no change at that revision');
  if (change.some((event) => event.type === 'BoardCreated')) {
    throw new DomainError('UNDO.NOT_UNDOABLE', 'Creating the board cannot be undone; archive the board instead');
  }
  requireMayUndo(current, change, actorId);
  const states = statesThrough(change, before);
  const decided: BoardEvent[] = [];
  for (let index = change.length - 1; index >= 0; index--) {
    const event = change[index] as RecordedBoardEvent;
    const prior = states[index] as ExistingBoard;
    const step = { event, prior, current, later };
    const events =
      'taskId' in event.data
        ? undoTaskEvent(step as Parameters<typeof undoTaskEvent>[0], states[index + 1]?.tasks[event.data.taskId])
        : undoBoardEvent(step as Parameters<typeof undoBoardEvent>[0]);
    for (const compensation of events) {
      decided.push(compensation);
      current = evolve(current, {
        ...compensation,
        revision: current.revision + 1,
        occurredAt: now,
        actorId,
      }) as ExistingBoard;
    }
  }
  return decided;
}

/**
 * The people an undo of `change` would make members again: those it removed. Accounts are not
 * board state, so whoever runs the undo checks that their accounts are still active (a disabled or
 * erased account must not come back onto a board).
 */
export function membersRestoredByUndo(change: readonly RecordedBoardEvent[]): string[] {
  return [...new Set(change.flatMap((event) => (event.type === 'MemberRemoved' ? [event.data.userId] : [])))];
}

/** The undo command for the change that appended `range` of `history` (events in revision order from 0). */
export function undoCommand(
  history: readonly RecordedBoardEvent[],
  range: { readonly first: number; readonly last: number },
  metadata: CommandMetadata,
): UndoChange {
  const change = history.slice(range.first, range.last + 1);
  const laterMoves = laterMovesOf(history.slice(range.last + 1));
  return {
    type: 'UndoChange',
    data: { revision: range.first, change, before: foldBoard(history.slice(0, range.first)), laterMoves },
    metadata,
  };
}
