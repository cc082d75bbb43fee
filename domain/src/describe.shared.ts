import type { Task } from './board.state.js';

export interface FieldChange {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** The audit line of one event: a sentence for people and the field changes for the history view. */
export interface EventDescription {
  readonly summary: string;
  readonly changes: FieldChange[];
}

/** Names as the board knew them just before the event, with ids as the fallback. */
export interface Names {
  column(columnId: string): string;
  task(taskId: string): Task | undefined;
  title(taskId: string): string;
}

export const quoted = (text: string): string => `“${text}”`;
export const change = (field: string, from: unknown, to: unknown): FieldChange => ({ field, from, to });
