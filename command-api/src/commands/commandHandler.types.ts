import type { BoardCommand, BoardState, Envelope } from '@primetrade/domain';
import type { EventStore, Metrics } from '@primetrade/platform';
import type { Logger } from 'pino';
import type { ConflictRetryPolicy, RetryTiming } from './conflictRetry.js';

/** What the handler records: `commandDuration{command, result}` of the shared `Metrics`. */
export type CommandMetrics = Pick<Metrics, 'commandDuration'>;

export interface CommandHandlerOptions {
  readonly store: EventStore;
  readonly logger?: Logger;
  readonly metrics?: CommandMetrics | undefined;
  /**
   * When an implicit expected revision loses a race: re-decide after jittered pauses until
   * `deadlineMs` (default 10 s, `COMMAND_CONFLICT_DEADLINE_MS`), then answer 503. See conflictRetry.ts.
   */
  readonly conflictRetry?: Partial<ConflictRetryPolicy> | undefined;
  /** Clock, pause and randomness of that backoff; real ones by default (tests inject fakes). */
  readonly timing?: RetryTiming | undefined;
  /** Boards kept folded in memory. Default 1000. */
  readonly cacheSize?: number;
  /** Event ids; default `crypto.randomUUID`. */
  readonly newId?: () => string;
}

export interface HandleOptions {
  /** From `If-Match`: the write happens only at exactly this revision (else 412). */
  readonly expectedRevision?: number | undefined;
  readonly correlationId: string;
  readonly causationId?: string | null | undefined;
}

export interface CommandResult {
  /**
   * The appended events. `revision` is exact. `position` is the append's position (that of
   * the last event of the batch) for every event: the global positions of the earlier ones
   * are not returned by the store, and callers only use it as "at or after this point".
   */
  readonly events: Envelope[];
  readonly state: BoardState;
  /** Board revision after the command (-1 only for a board that still does not exist). */
  readonly revision: number;
}

export interface CommandHandler {
  /** One command, or several decided in turn and appended as one atomic batch. */
  handle(
    boardId: string,
    command: BoardCommand | readonly BoardCommand[],
    options: HandleOptions,
  ): Promise<CommandResult>;
  /** The current state of a board (cached fold + stream tail); `initial` when it does not exist. */
  load(boardId: string): Promise<BoardState>;
  /** The board of a task among the cached boards, or null (a hint; see tasks.lookup.ts). */
  findBoardOfTask(taskId: string): string | null;
}
