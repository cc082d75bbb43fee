import {
  advanceBoard,
  decide,
  envelopeSchemaVersion,
  evolve,
  type BoardCommand,
  type BoardEvent,
  type BoardState,
  type Envelope,
  type StoredEventMetadata,
} from '@primetrade/domain';
import type { AppendResult, EventToAppend } from '@primetrade/platform';
import { revisionOf } from './boardStateCache.js';
import type { CommandResult, HandleOptions } from './commandHandler.types.js';

/**
 * A board's lane (docs/adr/0033-board-lanes.md): the commands of one board waiting on this node,
 * and how the ones behind the head are decided on the state after it and appended with it.
 */

/** A command waiting in its board's lane, and how to answer it. */
export interface Job {
  readonly commands: readonly BoardCommand[];
  readonly opts: HandleOptions;
  /** Decide on a fresh read of the stream, not the cache (a retry after a conflict). */
  readonly fresh: boolean;
  /** `{ traceparent }` of the command's span, taken when it joined the lane. */
  readonly trace: { traceparent?: string };
  readonly resolve: (result: CommandResult) => void;
  readonly reject: (error: unknown) => void;
}

export interface Decided {
  readonly job: Job;
  readonly decided: BoardEvent[];
  readonly context: Omit<StoredEventMetadata, 'schemaVersion'>;
  readonly toAppend: EventToAppend[];
}

/** Jobs appended behind a lead at most: one append of a few dozen commands' events. */
export const maxFollowers = 31;

/**
 * Whether a queued job may ride on the append of the job before it. Not with If-Match (its answer
 * depends on the revision the store confirms) nor a retry after a conflict (it must read the stream).
 */
export const canFollow = (job: Job): boolean => !job.fresh && job.opts.expectedRevision === undefined;

/**
 * The board after a job's decided events, as `evolve` folds the envelopes it will be answered with,
 * folded in place (ADR 0038): the lead's board is the cache's own, advanced before the append. Should
 * the append fail, the board the lead decided on still reads as it was (a past version of its chain)
 * and the next command of the board forks it; nothing unappended is ever read as the board's state.
 */
export function foldDecided(draft: BoardState, decided: readonly BoardEvent[], job: Job): BoardState {
  const { now: occurredAt, actorId } = job.commands[0]!.metadata;
  const first = revisionOf(draft) + 1;
  return advanceBoard(
    draft,
    decided.map((event, index) => ({ ...event, revision: first + index, occurredAt, actorId })),
  );
}

/**
 * Several commands in one request (a PATCH touching several aspects) are decided in turn on
 * a draft state and appended as one batch, so the request is all-or-nothing.
 */
export function decideAll(commands: readonly BoardCommand[], state: BoardState): BoardEvent[] {
  const decided: BoardEvent[] = [];
  let draft = state;
  for (const [index, command] of commands.entries()) {
    const events = decide(command, draft);
    decided.push(...events);
    if (index < commands.length - 1) {
      const { now: occurredAt, actorId } = command.metadata;
      draft = events.reduce<BoardState>(
        (folded, event) => evolve(folded, { ...event, revision: revisionOf(folded) + 1, occurredAt, actorId }),
        draft,
      );
    }
  }
  return decided;
}

/** A job's envelopes: its decided events under its metadata, numbered from `firstRevision`. */
export function toEnvelopes(
  boardId: string,
  member: Decided,
  firstRevision: number,
  position: AppendResult['position'],
): Envelope[] {
  const metadata: StoredEventMetadata = { ...member.context, schemaVersion: envelopeSchemaVersion };
  return member.decided.map((event, index) => ({
    ...event,
    ...metadata,
    id: member.toAppend[index]?.id ?? '',
    boardId,
    revision: firstRevision + index,
    position,
  }));
}
