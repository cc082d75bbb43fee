/**
 * Wire contracts of the statistics endpoints (docs/api.md "Statistics", with the rules).
 * Durations are whole milliseconds; days are UTC calendar days `YYYY-MM-DD`.
 */
import type { Priority } from './board.events.js';

export interface DurationPercentilesDto {
  /** Tasks measured. */
  readonly count: number;
  /** Nearest-rank percentiles; null when no task was measured. */
  readonly p50: number | null;
  readonly p85: number | null;
  readonly p95: number | null;
}

export interface ColumnCountDto {
  readonly columnId: string;
  readonly name: string;
  readonly isDone: boolean;
  readonly wipLimit: number | null;
  /** Live tasks in it (not archived). */
  readonly tasks: number;
}

export interface WipBreachDto {
  readonly columnId: string;
  readonly startedAt: string;
  /** null while the column is still over its limit. */
  readonly endedAt: string | null;
  /** Until `endedAt`, or until now for an ongoing breach. */
  readonly durationMs: number;
  /** The limit when the breach began. */
  readonly wipLimit: number;
  /** The most tasks the column held during it. */
  readonly peakTasks: number;
}

/** One completed task: a point of the lead/cycle time scatter. */
export interface CompletionDto {
  readonly taskId: string;
  readonly completedAt: string;
  readonly leadTimeMs: number;
  /** null when the task's cycle never started before its completion. */
  readonly cycleTimeMs: number | null;
}

export interface BoardStatsDto {
  readonly boardId: string;
  /** The board revision the figures include. */
  readonly revision: number;
  /** The instant time-dependent figures (overdue, last 7/30 days, ongoing breaches) were taken at. */
  readonly asOf: string;
  readonly tasks: {
    /** Live tasks: not deleted, not archived. */
    readonly live: number;
    readonly open: number;
    readonly completed: number;
    readonly archived: number;
    /** Open live tasks whose due date has passed. */
    readonly overdue: number;
  };
  /** In board order. */
  readonly byColumn: readonly ColumnCountDto[];
  /** Live tasks per assignee (a task with two assignees counts for both), most first. */
  readonly byAssignee: readonly { readonly userId: string; readonly tasks: number }[];
  readonly unassigned: number;
  readonly byPriority: Readonly<Record<Priority, number>>;
  /** Oldest first. */
  readonly wipBreaches: readonly WipBreachDto[];
  readonly throughput: {
    readonly last7Days: number;
    readonly last30Days: number;
    /** Days with at least one completion, oldest first. */
    readonly perDay: readonly { readonly day: string; readonly completed: number }[];
  };
  readonly leadTime: DurationPercentilesDto;
  readonly cycleTime: DurationPercentilesDto;
  /** Oldest completion first. */
  readonly completions: readonly CompletionDto[];
}

export interface BoardFlowDto {
  readonly boardId: string;
  readonly revision: number;
  readonly from: string;
  readonly to: string;
  /** Every UTC day from `from` to `to`. */
  readonly days: readonly string[];
  /** The board's columns in board order; `tasks[i]` is the count at the end of `days[i]`. */
  readonly columns: readonly {
    readonly columnId: string;
    readonly name: string;
    readonly isDone: boolean;
    readonly tasks: readonly number[];
  }[];
}

export interface MyStatsDto {
  readonly asOf: string;
  /** Live tasks assigned to me on my boards that are not archived. */
  readonly total: number;
  readonly byStatus: { readonly open: number; readonly completed: number };
  readonly byPriority: Readonly<Record<Priority, number>>;
  readonly overdue: number;
  /** Open tasks due from now to 24 hours / 7 days from now. */
  readonly dueWithin24Hours: number;
  readonly dueWithin7Days: number;
}
