import { randomUUID } from 'node:crypto';
import { DomainError, boardStreamId, type BoardCommand, type BoardEvent, type BoardState } from '@primetrade/domain';
import {
  SpanKind,
  WrongExpectedVersionError,
  currentTraceContext,
  inSpan,
  toEventToAppend,
} from '@primetrade/platform';
import { canFollow, decideAll, foldDecided, maxFollowers, toEnvelopes, type Decided, type Job } from './boardLane.js';
import { createBoardStateCache, revisionOf } from './boardStateCache.js';
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
  /** Each board's commands waiting on this node, in arrival order (docs/adr/0033-board-lanes.md). */
  const lanes = new Map<string, Job[]>();
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

  /**
   * One attempt for the job at the head of its board's lane. Once the job has decided events on a
   * plain implicit path, the jobs queued behind it that can follow (`canFollow`) are decided in turn
   * on the state after it, and everything goes to the store as one append: the outcome is the one
   * the jobs would get one after the other, in one round trip. A follower that refuses, changes
   * nothing or would need the store's word stops the group; it and the jobs after it stay in the
   * lane, in order. Answers the jobs it appended; throws the lead's failure, for which the followers
   * are left in the lane untouched. `taken` counts the followers it answered.
   */
  async function attempt(
    boardId: string,
    job: Job,
    followers: readonly Job[],
    taken: { count: number },
  ): Promise<void> {
    const { commands, opts } = job;
    const command = commands[0];
    if (command === undefined) throw new RangeError('handle() needs at least one command');
    // 1. Current state (cached fold; the stream when asked to be fresh or nothing is cached).
    const { state, fromCache } = await stateFor(boardId, job.fresh, opts.expectedRevision);
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
      if (fromCache) return attempt(boardId, { ...job, fresh: true }, followers, taken);
      throw error;
    }
    if (decided.length === 0) {
      if (fromCache) return attempt(boardId, { ...job, fresh: true }, followers, taken);
      job.resolve({ events: [], state, revision });
      return;
    }
    // 4. The followers, each decided on the state after the jobs before it, as if it ran next.
    const group: Decided[] = [decidedBy(job, decided)];
    /** The board after each member the next one was decided on (folded in place, ADR 0038). */
    const after: BoardState[] = [];
    let draft = state;
    for (const follower of followers) {
      const previous = group[group.length - 1]!;
      draft = foldDecided(draft, previous.decided, previous.job);
      after.push(draft);
      let next: BoardEvent[];
      try {
        next = decideAll(follower.commands, draft);
      } catch {
        break;
      }
      if (next.length === 0) break;
      group.push(decidedBy(follower, next));
    }
    // 5. Append at exactly the revision the lead decided on.
    const toAppend = group.flatMap((member) => member.toAppend);
    const result = await inSpan(
      'eventstore.append',
      {
        kind: SpanKind.CLIENT,
        attributes: { 'primetrade.events': toAppend.length, 'primetrade.commands': group.length },
        ...(job.trace.traceparent ? { parent: job.trace.traceparent } : {}),
      },
      () =>
        store.appendToStream(boardStreamId(boardId), toAppend, {
          expectedRevision: state.status === 'initial' ? 'no_stream' : BigInt(revision),
        }),
    );
    // 6. Fold what we wrote into the cache and answer each job with its own envelopes and state.
    taken.count = group.length - 1;
    let folded = state;
    let first = Number(result.nextExpectedRevision) - toAppend.length + 1;
    try {
      for (const [index, member] of group.entries()) {
        const events = toEnvelopes(boardId, member, first, result.position);
        first += member.decided.length;
        // A member a follower was decided after is folded already; the cache remembers each board.
        const ahead = after[index];
        folded = cache.apply(boardId, ahead ?? folded, ahead === undefined ? events : []);
        member.job.resolve({ events, state: folded, revision: revisionOf(folded) });
      }
    } catch (error) {
      // `evolve` never throws; should answering fail anyway, no job of the group is left waiting
      // (rejecting an answered one does nothing), and none is decided again: the append happened.
      for (const member of group) member.job.reject(error);
    }
  }

  /** A job's decision with the events to append for it, under its own metadata and trace. */
  function decidedBy(job: Job, decided: BoardEvent[]): Decided {
    const command = job.commands[0]!;
    const context = {
      occurredAt: command.metadata.now,
      actorId: command.metadata.actorId,
      correlationId: job.opts.correlationId,
      causationId: job.opts.causationId ?? null,
      // The command's span: the relay, the consumers and the push continue this trace from the events.
      ...job.trace,
    };
    return { job, decided, context, toAppend: decided.map((event) => toEventToAppend(event, newId(), context)) };
  }

  /**
   * Runs a board's lane: the head job leads an attempt, followed by the jobs behind it that may
   * follow; what the attempt did not take stays at the head. One lane per board at a time, so a
   * board's commands are decided one after the other on this node, as before (docs/adr/0033).
   */
  async function drain(boardId: string, lane: Job[]): Promise<void> {
    while (lane.length > 0) {
      const job = lane.shift()!;
      const followers: Job[] = [];
      while (followers.length < maxFollowers && lane[0] !== undefined && canFollow(lane[0]))
        followers.push(lane.shift()!);
      const taken = { count: 0 };
      try {
        await attempt(boardId, job, followers, taken);
      } catch (error) {
        // The next job must not trust the cache if the store said it is behind.
        if (error instanceof WrongExpectedVersionError) suspect.add(boardId);
        job.reject(error);
      }
      lane.unshift(...followers.slice(taken.count));
    }
    lanes.delete(boardId);
  }

  function enqueue(boardId: string, commands: readonly BoardCommand[], opts: HandleOptions, fresh: boolean) {
    return new Promise<CommandResult>((resolve, reject) => {
      // Captured here, in the command's own span: the lane may run it from another command's context.
      const job: Job = { commands, opts, fresh, trace: currentTraceContext(), resolve, reject };
      const lane = lanes.get(boardId);
      if (lane) {
        lane.push(job);
        return;
      }
      const started = [job];
      lanes.set(boardId, started);
      void drain(boardId, started);
    });
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
        return await enqueue(boardId, commands, opts, backoff.conflicts > 0);
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
