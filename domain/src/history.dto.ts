import type { FieldChange } from './describe.shared.js';

/** One line of a board's audit history: who, when, what, with field-level changes (docs/api.md). */
export interface HistoryEntryDto {
  readonly revision: number;
  readonly occurredAt: string;
  readonly actorId: string;
  readonly type: string;
  /** The task the event is about, or null for board, column and member events. */
  readonly taskId: string | null;
  readonly summary: string;
  readonly changes: readonly FieldChange[];
}
