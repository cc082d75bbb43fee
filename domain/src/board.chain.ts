import type { RecordedBoardEvent } from './board.events.js';
import type { BoardState, Task } from './board.state.js';
import { applyToDraft, copyOf, foldBoard, isKnown, touchedBy, type Draft } from './board.evolve.js';
import { reindexInPlace, taskIdsOf } from './column.index.js';

/**
 * A holder's boards folded without copying their tasks (docs/adr/0038-board-version-chains.md).
 *
 * `evolve` copies the record an event touches, so a board of thousands of tasks costs a copy of
 * them per event: the largest cost of a command on a big board. `advanceBoard` instead changes the
 * tasks record of the board it returned last (the chain's head) in place, and turns the board it
 * advanced from into a past version whose `tasks` rebuilds itself on its first read, from the newer
 * record and the changes the newer versions made, undone. A past version is read rarely (an answer
 * read after the next command of its board was folded), so the common case copies nothing.
 */

type Undo = readonly (readonly [taskId: string, before: Task | undefined])[];

interface Link {
  /** The record the whole chain shares: the head's tasks. */
  readonly tasks: Record<string, Task>;
  /** To step back from the next version to this one: each changed task as it was here. */
  undo: Undo;
  /** The next version, or null while this one is the head. */
  newer: Link | null;
}

const links = new WeakMap<BoardState, Link>();

/** The tasks of the version at `link`: the head's record with the newer versions' changes undone. */
function rebuilt(link: Link): Record<string, Task> {
  const steps: Link[] = [];
  for (let at: Link | null = link; at?.newer != null; at = at.newer) steps.push(at);
  const tasks = copyOf(link.tasks);
  for (const step of steps.reverse()) {
    for (const [taskId, before] of step.undo) {
      if (before === undefined) delete tasks[taskId];
      else tasks[taskId] = before;
    }
  }
  return tasks;
}

/** Turns the head `state` into a past version: its tasks are rebuilt once, when first read. */
function retire(state: BoardState, link: Link): void {
  Object.defineProperty(state, 'tasks', {
    configurable: true,
    enumerable: true,
    get(): Record<string, Task> {
      const tasks = rebuilt(link);
      Object.defineProperty(state, 'tasks', { value: tasks, enumerable: true, writable: false, configurable: true });
      return tasks;
    },
  });
}

/**
 * `events` folded onto `from` without touching it, as the head of a new chain: `foldBoard` copies
 * each record once into a board of its own (whatever `from` is: a past version, another chain's
 * head, a fold read from the stream), so the result shares no record with anyone.
 */
export function forkBoard(from: BoardState, events: readonly RecordedBoardEvent[]): BoardState {
  const head = foldBoard(events, from);
  if (head === from || head.status === 'initial') return head;
  links.set(head, { tasks: head.tasks, undo: [], newer: null });
  return head;
}

/**
 * The board after `events`: equal to folding them with `evolve`. When `state` is the head of its
 * chain (the board this function returned last for it), its tasks record is changed in place and
 * `state` keeps reading as it was (see above); any other board is forked (`forkBoard`). Call it only for boards whose records no caller keeps apart from the board object: the
 * record read through a past version stays right, a `tasks` record taken out of it earlier does not.
 */
export function advanceBoard(state: BoardState, events: readonly RecordedBoardEvent[]): BoardState {
  if (events.length === 0) return state;
  const link = links.get(state);
  if (link === undefined || link.newer !== null || state.status === 'initial') return forkBoard(state, events);
  const draft: Draft = { ...(state as Draft) };
  const copied = new Set<'members' | 'columns'>();
  const before = new Map<string, Task | undefined>();
  for (const event of events) {
    if (!isKnown(event.type) || event.type === 'BoardCreated') continue;
    const touched = touchedBy[event.type];
    if ((touched === 'members' || touched === 'columns') && !copied.has(touched)) {
      (draft as Record<string, unknown>)[touched] = copyOf<unknown>(draft[touched]);
      copied.add(touched);
    }
    if (touched !== 'tasks') {
      applyToDraft(draft, event);
      continue;
    }
    for (const taskId of taskIdsOf(event)) {
      if (!before.has(taskId)) before.set(taskId, Object.hasOwn(link.tasks, taskId) ? link.tasks[taskId] : undefined);
    }
    const reindex = reindexInPlace(link.tasks, event);
    applyToDraft(draft, event);
    reindex();
  }
  const next: Link = { tasks: link.tasks, undo: [], newer: null };
  link.undo = [...before];
  link.newer = next;
  links.set(draft, next);
  retire(state, link);
  return draft;
}
