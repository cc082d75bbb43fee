import type { RecordedBoardEvent } from './board.events.js';
import type { BoardData, BoardState, Column, Member, Task } from './board.state.js';
import { initialBoardState } from './board.state.js';
import { applyTaskEvent } from './tasks.evolve.js';
import { carryColumnIndex, reindexInPlace, shareColumnIndex } from './column.index.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A board being folded. Its three records are owned by the fold, so appliers mutate them in
 * place: `evolve` copies only the record an event touches, `foldBoard` copies each once.
 */
export type Draft = Mutable<Omit<BoardData, 'members' | 'columns' | 'tasks'>> & {
  status: 'active' | 'archived';
  members: Record<string, Member>;
  columns: Record<string, Column>;
  tasks: Record<string, Task>;
};

export type Touched = 'members' | 'columns' | 'tasks' | null;

/** The one record of a board each event changes (null: only the board's own fields). */
export const touchedBy: Record<RecordedBoardEvent['type'], Touched> = {
  BoardCreated: null,
  BoardRenamed: null,
  BoardDescriptionChanged: null,
  BoardArchived: null,
  BoardRestored: null,
  MemberAdded: 'members',
  MemberRoleChanged: 'members',
  MemberRemoved: 'members',
  ColumnAdded: 'columns',
  ColumnRenamed: 'columns',
  ColumnMoved: 'columns',
  ColumnWipLimitSet: 'columns',
  ColumnRemoved: 'columns',
  ColumnPositionsRebalanced: 'tasks',
  TaskCreated: 'tasks',
  TaskTitleChanged: 'tasks',
  TaskDescriptionChanged: 'tasks',
  TaskMoved: 'tasks',
  TaskAssigned: 'tasks',
  TaskUnassigned: 'tasks',
  TaskLabelAdded: 'tasks',
  TaskLabelRemoved: 'tasks',
  TaskPriorityChanged: 'tasks',
  TaskDueDateChanged: 'tasks',
  TaskCompleted: 'tasks',
  TaskReopened: 'tasks',
  TaskArchived: 'tasks',
  TaskRestored: 'tasks',
  TaskDeleted: 'tasks',
  TaskReinstated: 'tasks',
  CommentAdded: 'tasks',
  CommentEdited: 'tasks',
  CommentDeleted: 'tasks',
  CommentReinstated: 'tasks',
};

export const isKnown = (type: string): type is RecordedBoardEvent['type'] => Object.hasOwn(touchedBy, type);

function created(event: RecordedBoardEvent & { type: 'BoardCreated' }): BoardState {
  const { boardId, name, description } = event.data;
  return {
    status: 'active',
    id: boardId,
    name,
    description,
    createdBy: event.actorId,
    createdAt: event.occurredAt,
    updatedAt: event.occurredAt,
    revision: event.revision,
    members: {},
    columns: {},
    tasks: {},
  };
}

function applyColumnEvent(columns: Record<string, Column>, event: RecordedBoardEvent): void {
  if (event.type === 'ColumnAdded') {
    const { columnId, name, position, isDone, wipLimit } = event.data;
    columns[columnId] = { id: columnId, name, position, isDone, wipLimit };
    return;
  }
  if (event.type === 'ColumnRemoved') {
    delete columns[event.data.columnId];
    return;
  }
  if (event.type !== 'ColumnRenamed' && event.type !== 'ColumnMoved' && event.type !== 'ColumnWipLimitSet') return;
  const column = columns[event.data.columnId];
  if (column === undefined) return;
  if (event.type === 'ColumnRenamed') columns[column.id] = { ...column, name: event.data.name };
  if (event.type === 'ColumnMoved') columns[column.id] = { ...column, position: event.data.position };
  if (event.type === 'ColumnWipLimitSet') columns[column.id] = { ...column, wipLimit: event.data.wipLimit };
}

function applyMemberEvent(members: Record<string, Member>, event: RecordedBoardEvent): void {
  if (event.type === 'MemberAdded') {
    members[event.data.userId] = { userId: event.data.userId, role: event.data.role, addedAt: event.occurredAt };
  } else if (event.type === 'MemberRoleChanged') {
    const member = members[event.data.userId];
    if (member !== undefined) members[member.userId] = { ...member, role: event.data.role };
  } else if (event.type === 'MemberRemoved') {
    delete members[event.data.userId];
  }
}

/** Applies a known event to a draft whose records may be mutated. */
export function applyToDraft(draft: Draft, event: RecordedBoardEvent): void {
  draft.revision = event.revision;
  draft.updatedAt = event.occurredAt;
  switch (event.type) {
    case 'BoardRenamed':
      draft.name = event.data.name;
      return;
    case 'BoardDescriptionChanged':
      draft.description = event.data.description;
      return;
    case 'BoardArchived':
      draft.status = 'archived';
      return;
    case 'BoardRestored':
      draft.status = 'active';
      return;
    default:
  }
  const touched = touchedBy[event.type];
  if (touched === 'members') applyMemberEvent(draft.members, event);
  else if (touched === 'columns') applyColumnEvent(draft.columns, event);
  else if (touched === 'tasks') applyTaskEvent(draft.tasks, event);
}

/**
 * A record's copy, key by key: for the thousands of keys of a big board's tasks this is markedly
 * faster than a spread (bench/README.md, B14). `__proto__` would set the prototype, not a key.
 */
export function copyOf<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  const copy: Record<string, T> = {};
  for (const key of Object.keys(record)) {
    if (key === '__proto__') return { ...record };
    copy[key] = record[key] as T;
  }
  return copy;
}

/** The state after `event`. Never throws; events it does not know (or cannot place) leave the state as is. */
export function evolve(state: BoardState, event: RecordedBoardEvent): BoardState {
  if (!isKnown(event.type)) return state;
  if (state.status === 'initial') return event.type === 'BoardCreated' ? created(event) : state;
  if (event.type === 'BoardCreated') return state;
  const draft: Draft = { ...state };
  const touched = touchedBy[event.type];
  if (touched !== null) (draft as Record<string, unknown>)[touched] = copyOf<unknown>(state[touched]);
  applyToDraft(draft, event);
  if (touched === 'tasks') carryColumnIndex(state.tasks, draft.tasks, event);
  return draft;
}

/** Folds `events` onto `from`, copying each record once rather than once per event. */
export function foldBoard(events: readonly RecordedBoardEvent[], from: BoardState = initialBoardState): BoardState {
  return foldStepwise(events, from);
}

/**
 * `foldBoard`, showing `visit` the board just before each event. That board is the fold's own
 * draft: read it during the call (describe the event, copy a snapshot), never keep or change it.
 * Records are replaced, not mutated, inside it, so values read from it stay valid.
 */
export function foldStepwise<E extends RecordedBoardEvent>(
  events: readonly E[],
  from: BoardState = initialBoardState,
  visit?: (event: E, before: BoardState, index: number) => void,
): BoardState {
  let state = from;
  let draft: Draft | null = null;
  for (const [index, event] of events.entries()) {
    visit?.(event, draft ?? state, index);
    if (draft === null) {
      state = evolve(state, event);
      if (state.status !== 'initial') {
        draft = { ...state, members: { ...state.members }, columns: { ...state.columns }, tasks: { ...state.tasks } };
        shareColumnIndex(state.tasks, draft.tasks);
      }
    } else if (isKnown(event.type) && event.type !== 'BoardCreated') {
      const reindex = touchedBy[event.type] === 'tasks' ? reindexInPlace(draft.tasks, event) : null;
      applyToDraft(draft, event);
      reindex?.();
    }
  }
  return draft ?? state;
}

/**
 * `foldStepwise` onto a board the caller OWNS: its records are changed in place, never copied, so
 * `from` (unless it is the initial board) is the returned board, changed. For a holder of a board's
 * latest state that folds each next batch onto it (the projector's history projection): a board of
 * thousands of tasks costs nothing per batch. Only for a state nobody else holds (not one the fold of
 * another caller, a cache or a snapshot still reads); `visit` sees the board just before each event.
 */
export function foldStepwiseOwned<E extends RecordedBoardEvent>(
  events: readonly E[],
  from: BoardState,
  visit?: (event: E, before: BoardState, index: number) => void,
): BoardState {
  let state = from;
  for (const [index, event] of events.entries()) {
    visit?.(event, state, index);
    if (state.status === 'initial') state = evolve(state, event);
    else if (isKnown(event.type) && event.type !== 'BoardCreated') {
      const draft = state as Draft;
      const reindex = touchedBy[event.type] === 'tasks' ? reindexInPlace(draft.tasks, event) : null;
      applyToDraft(draft, event);
      reindex?.();
    }
  }
  return state;
}

/** A copy of a board that a later step of `foldStepwise` cannot change (its records copied once). */
export function snapshotOf(state: BoardState): BoardState {
  if (state.status === 'initial') return state;
  const tasks = { ...state.tasks };
  shareColumnIndex(state.tasks, tasks);
  return { ...state, members: { ...state.members }, columns: { ...state.columns }, tasks };
}
