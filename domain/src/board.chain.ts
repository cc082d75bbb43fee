import type { RecordedBoardEvent } from './board.events.js';
import type { BoardState, Task } from './board.state.js';
import { applyToDraft, copyOf, evolve, isKnown, touchedBy, type Draft } from './board.evolve.js';
import { own, reindexInPlace, shareColumnIndex, taskIdsOf } from './column.index.js';

/**
 * A holder's boards folded without copying their tasks (docs/adr/0038-board-version-chains.md).
 *
 * `evolve` copies the record an event touches, so a board of thousands of tasks costs a copy of
 * them per event: the largest cost of a command on a big board. `advanceBoard` instead changes the
 * tasks record of the board it returned last (the chain's head) in place, and turns the board it
 * advanced from into a past version. A past version's `tasks` reads one task through the chain (the
 * task as the first newer version that changed it found it, else the head's); anything that lists
 * its keys rebuilds the whole record once (the head's, with the newer versions' changes undone). A
 * past version is read rarely and mostly one task at a time (the answer of a command whose board's
 * next command was folded first), so the common case copies nothing.
 */

interface Link {
  /** The record the whole chain shares: the head's tasks. */
  readonly tasks: Record<string, Task>;
  /** To step back from the next version to this one: each task the step changed, as it was here. */
  undo: ReadonlyMap<string, Task | undefined>;
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

/** Task `taskId` at the version of `link` (undefined: not on the board then). */
function taskAt(link: Link, taskId: string): Task | undefined {
  for (let at: Link | null = link; at?.newer != null; at = at.newer) {
    if (at.undo.has(taskId)) return at.undo.get(taskId);
  }
  return own(link.tasks, taskId);
}

/**
 * A past version's tasks: a read-only record that answers a key through the chain and lists its
 * keys (keys, values, entries, spread, `JSON.stringify`) from the record rebuilt on first need.
 */
function pastTasks(link: Link): Record<string, Task> {
  let whole: Record<string, Task> | undefined;
  const rebuiltOnce = () => (whole ??= rebuilt(link));
  const refuse = (): never => {
    throw new TypeError('a past version of a board is read-only');
  };
  const target: Record<string, Task> = {};
  return new Proxy(target, {
    get(_target, key): unknown {
      if (typeof key !== 'string' || whole !== undefined) return Reflect.get(rebuiltOnce(), key) as unknown;
      return taskAt(link, key) ?? (Reflect.get(Object.prototype, key) as unknown);
    },
    has: (_target, key) =>
      typeof key === 'string' && whole === undefined
        ? taskAt(link, key) !== undefined || Reflect.has(Object.prototype, key)
        : Reflect.has(rebuiltOnce(), key),
    getOwnPropertyDescriptor(_target, key) {
      if (typeof key !== 'string' || whole !== undefined) return Reflect.getOwnPropertyDescriptor(rebuiltOnce(), key);
      const task = taskAt(link, key);
      return task === undefined ? undefined : { value: task, writable: true, enumerable: true, configurable: true };
    },
    ownKeys: () => Reflect.ownKeys(rebuiltOnce()),
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
    setPrototypeOf: refuse,
  });
}

/** Turns the head `state` into a past version (its `tasks` read through the chain). */
function retire(state: BoardState, link: Link): void {
  Object.defineProperty(state, 'tasks', {
    value: pastTasks(link),
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * `events` folded onto `from` without touching it, as the head of a new chain (whatever `from` is: a
 * past version, another chain's head, a fold read from the stream). The first event is folded by
 * `evolve`, whose result owns the record that event touched; the tasks record is copied if it did
 * not touch it; the rest advance that head in place. One copy of the tasks at most, however long.
 */
export function forkBoard(from: BoardState, events: readonly RecordedBoardEvent[]): BoardState {
  let head = from;
  let index = 0;
  // Events before the board's creation leave it initial (as `evolve` does).
  while (index < events.length && (index === 0 || head.status === 'initial')) head = evolve(head, events[index++]!);
  if (head.status === 'initial') return head;
  if (from.status !== 'initial' && head.tasks === from.tasks) {
    const tasks = copyOf(head.tasks);
    shareColumnIndex(head.tasks, tasks);
    head = { ...head, tasks };
  }
  links.set(head, { tasks: head.tasks, undo: new Map(), newer: null });
  return advanceBoard(head, events.slice(index));
}

/**
 * The board after `events`: equal to folding them with `evolve`. When `state` is the head of its
 * chain (the board this function returned last for it), its tasks record is changed in place and
 * `state` keeps reading as it was (see above); any other board is forked (`forkBoard`). Only for
 * boards whose readers read the tasks through the board object: a past version reads right, a
 * `tasks` record taken out of it before it was advanced does not.
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
      if (!before.has(taskId)) before.set(taskId, own(link.tasks, taskId));
    }
    const reindex = reindexInPlace(link.tasks, event);
    applyToDraft(draft, event);
    reindex();
  }
  const next: Link = { tasks: link.tasks, undo: new Map(), newer: null };
  link.undo = before;
  link.newer = next;
  links.set(draft, next);
  retire(state, link);
  return draft;
}
