import type { EventStore, Sql, TextCache } from '@primetrade/platform';
import type { Logger } from 'pino';
import type { CommandHandler, CommandMetrics } from '../commands/handleCommand.js';

/** What `createApp` hands to `registerBoardApi` (dependencies come in). */
export interface BoardApiDeps {
  readonly store: EventStore;
  /** The read models (and the users table). */
  readonly sql: Sql;
  readonly clock: () => Date;
  /** New board, column, task and comment ids (UUIDs). */
  readonly newId: () => string;
  readonly logger: Logger;
  readonly metrics?: CommandMetrics | undefined;
  /** Share one handler (and its state cache) with other callers; built from `store` otherwise. */
  readonly commands?: CommandHandler | undefined;
  /**
   * How long a task route waits for the read model to learn a task the caller may have just
   * created on another node (see tasks.lookup.ts). Default 1000 ms.
   */
  readonly readModelWaitMs?: number | undefined;
  /** The command handler's conflict deadline (default 10 s; docs/adr/0016). */
  readonly conflictDeadlineMs?: number | undefined;
  /** Where statistics are cached (Redis in cluster mode); this process's memory otherwise. */
  readonly statsCache?: TextCache | undefined;
}

/** The deps every route module gets: the above with the handler resolved. */
export interface BoardRouteDeps extends BoardApiDeps {
  readonly commands: CommandHandler;
}
