import { randomUUID } from 'node:crypto';
import {
  DomainError,
  boardStreamId,
  decide,
  envelopeSchemaVersion,
  evolve,
  type BoardCommand,
  type BoardEvent,
  type BoardState,
  type Envelope,
  type StoredEventMetadata,
} from '@primetrade/domain';
import {
  SpanKind,
  WrongExpectedVersionError,
  currentTraceContext,
  inSpan,
  toEventToAppend,
  type AppendResult,
} from '@primetrade/platform';
import { createBoardStateCache, revisionOf } from './boardStateCache.js';
import { createKeyedQueue } from './boardQueue.js';
import { createConflictBackoff, defaultConflictRetryPolicy, realTiming } from './conflictRetry.js';
import type { CommandHandler, CommandHandlerOptions, CommandResult, HandleOptions } from './commandHandler.types.js';

export type * from './commandHandler.types.js';

const isCommandList = (input: BoardCommand | readonly BoardCommand[]): input is readonly BoardCommand[] =>
  Array.isArray(input);

/** A non-member must not learn that the board exists, not even through a 412. */
const visibleTo = (state: BoardState, actorId: string): boolean =>
  state.status !== 'initial' && state.members[actorId] !== undefined;

/** docs/architecture.md command side: load → check If-Match → decide → append → fold; retry implicit races. */
export function createCommandHandler(options: CommandHandlerOptions): CommandHandler {
  const { store, logger, metrics } = options;
  const newId = options.newId ?? randomUUID;
  const policy = { ...defaultConflictRetryPolicy, ...options.conflictRetry };
  const timing = options.timing ?? realTiming;
  const cache = createBoardStateCache(store, options.cacheSize);
  const perBoard = createKeyedQueue();
  /** Boards whose cached fold lost a race: the next command of the board reads the tail first. */
  const suspect = new Set<string>();

  /**
   * The state to decide on. A first attempt trusts the cached fold: if another node wrote since, the
   * append's expected revision fails and the retry reads the stream (one round trip saved per command).
   */
  async function stateFor(boardId: string, fresh: boolean, expectedRevision: number | undefined) {
    const cached = fresh || suspect.has(boardId) ? undefined : cache.peek(boardId);
    // An If-Match other than our cached revision may mean the cache is behind: look before refusing.
    if (cached !== undefined && (expectedRevision === undefined || expectedRevision === revisionOf(cached))) {
      return { state: cached, fromCache: true };
    }
    const state = await cache.load(boardId);
    suspect.delete(boardId);
    return { state, fromCache: false };
  }

  async function attempt(
    boardId: string,
    commands: readonly BoardCommand[],
    opts: HandleOptions,
    fresh: boolean,
  ): Promise<CommandResult> {
    const command = commands[0];
    if (command === undefined) throw new RangeError('handle() needs at least one command');
    // 1. Current state (cached fold; the stream when asked to be fresh or nothing is cached).
    const { state, fromCache } = await stateFor(boardId, fresh, opts.expectedRevision);
    const revision = revisionOf(state);
    // 2. Explicit precondition (If-Match).
    if (opts.expectedRevision !== undefined && opts.expectedRevision !== revision) {
      if (!visibleTo(state, command.metadata.actorId)) throw new DomainError('BOARD.NOT_FOUND', 'Board not found');
      throw new DomainError('REVISION.MISMATCH', `The board is at revision ${revision}, not ${opts.expectedRevision}`);
    }
    // 3. Decide; nothing to do is a success at the current revision. A refusal or a no-op decided on
    //    the cache is only believed once the stream confirms the cache is current.
    let decided: BoardEvent[];
    try {
      decided = decideAll(commands, state);
    } catch (error) {
      if (fromCache) return attempt(boardId, commands, opts, true);
      throw error;
    }
    if (decided.length === 0)
      return fromCache ? attempt(boardId, commands, opts, true) : { events: [], state, revision };
    // 4. Append at exactly the revision we decided on.
    const context = {
      occurredAt: command.metadata.now,
      actorId: command.metadata.actorId,
      correlationId: opts.correlationId,
      causationId: opts.causationId ?? null,
      // The command's span: the relay, the consumers and the push continue this trace from the events.
      ...currentTraceContext(),
    };
    const toAppend = decided.map((event) => toEventToAppend(event, newId(), context));
    const result = await inSpan(
      'eventstore.append',
      { kind: SpanKind.CLIENT, attributes: { 'primetrade.events': toAppend.length } },
      () =>
        store.appendToStream(boardStreamId(boardId), toAppend, {
          expectedRevision: state.status === 'initial' ? 'no_stream' : BigInt(revision),
        }),
    );
    // 5. Fold what we wrote into the cache and answer with envelopes.
    const events = toEnvelopes(
      boardId,
      decided,
      toAppend.map((event) => event.id),
      { ...context, schemaVersion: envelopeSchemaVersion },
      result,
    );
    const next = cache.apply(boardId, state, events);
    return { events, state: next, revision: revisionOf(next) };
  }

  function handle(
    boardId: string,
    input: BoardCommand | readonly BoardCommand[],
    opts: HandleOptions,
  ): Promise<CommandResult> {
    const type = (isCommandList(input) ? input[0] : input)?.type ?? 'none';
    return inSpan(
      `command ${type}`,
      { attributes: { 'primetrade.board_id': boardId, 'primetrade.correlation_id': opts.correlationId } },
      () => handleMeasured(boardId, input, opts),
    );
  }

  async function handleMeasured(
    boardId: string,
    input: BoardCommand | readonly BoardCommand[],
    opts: HandleOptions,
  ): Promise<CommandResult> {
    const commands = isCommandList(input) ? input : [input];
    const command = commands[0];
    if (command === undefined) throw new RangeError('handle() needs at least one command');
    // Durations from the monotonic clock: the injected wall clock may be frozen in tests.
    const started = performance.now();
    let result = 'error';
    try {
      const done = await untilDecided(boardId, commands, opts);
      result = done.events.length === 0 ? 'noop' : 'ok';
      return done;
    } catch (error) {
      if (error instanceof DomainError)
        result = error.code.startsWith('REVISION.') || error.code === 'SERVICE.UNAVAILABLE' ? 'conflict' : 'rejected';
      throw error;
    } finally {
      metrics?.commandDuration.observe({ command: command.type, result }, (performance.now() - started) / 1000);
    }
  }

  /**
   * Runs attempts in the board's queue; an implicit conflict is re-decided on a fresh read after a
   * jittered pause taken *outside* the queue, so the node's other commands of the board go on
   * meanwhile. Only the deadline refuses (503, docs/adr/0016); an If-Match conflict answers 412 at once.
   */
  async function untilDecided(
    boardId: string,
    commands: readonly BoardCommand[],
    opts: HandleOptions,
  ): Promise<CommandResult> {
    const backoff = createConflictBackoff(policy, timing);
    for (;;) {
      try {
        return await perBoard(boardId, () => attempt(boardId, commands, opts, backoff.conflicts > 0));
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        suspect.add(boardId);
        if (opts.expectedRevision !== undefined) {
          throw new DomainError(
            'REVISION.MISMATCH',
            `The board changed; it is no longer at revision ${opts.expectedRevision}`,
          );
        }
        if (!(await backoff.pause())) {
          logger?.warn(
            { boardId, command: commands[0]?.type, conflicts: backoff.conflicts },
            'revision conflicts until the deadline; refusing',
          );
          throw busy();
        }
        logger?.debug(
          { boardId, command: commands[0]?.type, conflicts: backoff.conflicts },
          'implicit revision conflict, re-deciding',
        );
      }
    }
  }

  return { handle, load: (boardId) => cache.load(boardId), findBoardOfTask: (taskId) => cache.findBoardOfTask(taskId) };
}

/**
 * Conflicts on one board for the whole deadline: the store or the board is overloaded, not the
 * request wrong, so 503 with `Retry-After` (the problem writer copies an error's `headers`).
 */
function busy(): DomainError {
  const error = new DomainError('SERVICE.UNAVAILABLE', 'The board is too busy right now; try again in a moment');
  return Object.assign(error, { headers: { 'Retry-After': '1' } });
}

/**
 * Several commands in one request (a PATCH touching several aspects) are decided in turn on
 * a draft state and appended as one batch, so the request is all-or-nothing.
 */
function decideAll(commands: readonly BoardCommand[], state: BoardState): BoardEvent[] {
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

function toEnvelopes(
  boardId: string,
  decided: readonly BoardEvent[],
  ids: readonly string[],
  metadata: StoredEventMetadata,
  result: AppendResult,
): Envelope[] {
  const first = Number(result.nextExpectedRevision) - decided.length + 1;
  return decided.map((event, index) => ({
    ...event,
    ...metadata,
    id: ids[index] ?? '',
    boardId,
    revision: first + index,
    position: result.position,
  }));
}
