/**
 * given/when/then for the board decider:
 * `given(...events).when(command).then(expectedEvents)` or `.thenThrows(code)`.
 * Given events are recorded with revisions 0..n-1 and fixed metadata; `by(actorId, event)`
 * records one as someone else's (comment authors, task creators).
 */
import { expect } from 'vitest';
import type { BoardCommand, BoardCommandType } from './board.commands.js';
import type { BoardEvent, RecordedBoardEvent, TaskCreated } from './board.events.js';
import type { BoardState } from './board.state.js';
import type { ErrorCode } from './errors.js';
import { DomainError } from './errors.js';
import { decide } from './board.decide.js';
import { foldBoard } from './board.evolve.js';

export const BOARD_ID = 'board-1';
export const OWNER = 'user-owner';
export const EDITOR = 'user-editor';
export const VIEWER = 'user-viewer';
export const STRANGER = 'user-stranger';
export const NOW = '2026-03-01T12:00:00.000Z';
export const RECORDED_AT = '2026-03-01T09:00:00.000Z';

export const TODO = 'col-todo';
export const DOING = 'col-doing';
export const DONE = 'col-done';

type Given = BoardEvent & { readonly actorId?: string; readonly occurredAt?: string };

export const by = <E extends BoardEvent>(actorId: string, event: E): E & { actorId: string } => ({ ...event, actorId });

export function record(events: readonly Given[], firstRevision = 0): RecordedBoardEvent[] {
  return events.map((event, index) => ({
    ...event,
    revision: firstRevision + index,
    occurredAt: event.occurredAt ?? RECORDED_AT,
    actorId: event.actorId ?? OWNER,
  }));
}

export type CommandOf<T extends BoardCommandType> = Extract<BoardCommand, { type: T }>;

export const command = <T extends BoardCommandType>(
  type: T,
  data: CommandOf<T>['data'],
  actorId: string = OWNER,
): CommandOf<T> => ({ type, data, metadata: { now: NOW, actorId } }) as CommandOf<T>;

export function thrownBy(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('Expected a DomainError, but the command was accepted');
}

export function given(...events: Given[]) {
  const state: BoardState = foldBoard(record(events));
  return {
    state,
    when(cmd: BoardCommand) {
      const run = () => decide(cmd, state);
      return {
        run,
        then(expected: readonly BoardEvent[]): void {
          expect(run()).toEqual(expected);
        },
        thenThrows(code: ErrorCode, field?: string): void {
          const error = thrownBy(run);
          expect(error.code).toBe(code);
          if (field !== undefined) expect(error.details.map((detail) => detail.field)).toContain(field);
        },
      };
    },
  };
}

/**
 * Matches a position key strictly between two keys (null: open end); the exact key is
 * position.ts's business. Typed as a string so it sits inside expected events.
 */
export const positionBetween = (lower: string | null, upper: string | null): string =>
  ({
    asymmetricMatch: (actual: unknown) =>
      typeof actual === 'string' && (lower === null || lower < actual) && (upper === null || actual < upper),
    toString: () => `positionBetween(${lower}, ${upper})`,
    toAsymmetricMatcher: () => `positionBetween(${lower}, ${upper})`,
  }) as unknown as string;

// Fixtures: a board with To do / In progress / Done(isDone), an owner, an editor and a viewer.
export const boardCreated: BoardEvent = {
  type: 'BoardCreated',
  data: { boardId: BOARD_ID, name: 'Team', description: '' },
};
export const memberAdded = (userId: string, role: 'owner' | 'editor' | 'viewer'): BoardEvent => ({
  type: 'MemberAdded',
  data: { userId, role },
});
export const columnAdded = (
  columnId: string,
  name: string,
  position: string,
  more: { isDone?: boolean; wipLimit?: number | null } = {},
): BoardEvent => ({
  type: 'ColumnAdded',
  data: { columnId, name, position, isDone: more.isDone ?? false, wipLimit: more.wipLimit ?? null },
});

export const aBoard = (): BoardEvent[] => [
  boardCreated,
  memberAdded(OWNER, 'owner'),
  columnAdded(TODO, 'To do', 'V'),
  columnAdded(DOING, 'In progress', 'W'),
  columnAdded(DONE, 'Done', 'X', { isDone: true }),
  memberAdded(EDITOR, 'editor'),
  memberAdded(VIEWER, 'viewer'),
];

export const taskCreated = (taskId: string, more: Partial<TaskCreated['data']> = {}): TaskCreated => ({
  type: 'TaskCreated',
  data: {
    taskId,
    columnId: TODO,
    position: 'V',
    title: `Task ${taskId}`,
    description: '',
    priority: 'medium',
    dueDate: null,
    assigneeIds: [],
    labels: [],
    ...more,
  },
});
