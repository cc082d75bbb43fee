/**
 * Board histories for undo specs: `history(...changes)` records each inner list as one change (one
 * request's events), then `undo(index, actorId)` decides the undo of a change against the board as it
 * is now (negative index: from the end) and `after(events)` applies compensations to that board.
 */
import type { BoardEvent, RecordedBoardEvent } from './board.events.js';
import { decide } from './board.decide.js';
import { evolve, foldBoard } from './board.evolve.js';
import type { BoardState, Task } from './board.state.js';
import { NOW, OWNER, record } from './board.testkit.js';
import { undoCommand } from './undo.decisions.js';

type Given = BoardEvent & { readonly actorId?: string; readonly occurredAt?: string };

export function history(...changes: (readonly Given[])[]) {
  const log: RecordedBoardEvent[] = [];
  const ranges: { first: number; last: number }[] = [];
  for (const change of changes) {
    ranges.push({ first: log.length, last: log.length + change.length - 1 });
    log.push(...record(change, log.length));
  }
  const state = foldBoard(log);
  const undo = (index: number, actorId = OWNER) => {
    const range = index < 0 ? ranges[ranges.length + index] : ranges[index];
    if (range === undefined) throw new Error('no such change');
    return decide(undoCommand(log, range, { now: NOW, actorId }), state);
  };
  const after = (events: BoardEvent[]): BoardState =>
    events.reduce<BoardState>(
      (s, event, i) => evolve(s, { ...event, revision: log.length + i, occurredAt: NOW, actorId: OWNER }),
      state,
    );
  return { state, undo, after, log };
}

export const taskIn = (state: BoardState, id: string): Task | undefined =>
  state.status === 'initial' ? undefined : state.tasks[id];
