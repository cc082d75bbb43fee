import { afterEach, describe, expect, it, vi } from 'vitest';
import { boardStreamId, type Envelope } from '@primetrade/domain';
import { createInMemoryEventStore, createLogger, toEventToAppend, type EventStore } from '@primetrade/platform';
import { BoardStream } from '@primetrade/projector';
import { createStoredBoards, type StoredBoards } from '@primetrade/read-model';
import { catchUpPage, createBoardFeeds, followBoard, maxBehind } from './boardFeed.js';
import { createMembership, newUser } from './realtime.testkit.js';

/** A follow's memory: the catch-up reads as the client takes, and a client that takes nothing is let go. */
let store: EventStore;
afterEach(() => store.close());

async function boardWith(renames: number) {
  store = createInMemoryEventStore();
  const owner = newUser('olga');
  const board = new BoardStream({ ownerId: owner.id });
  const events = [
    ...board.create(),
    ...Array.from({ length: renames }, () => board.emit({ type: 'BoardRenamed', data: { name: 'r' } })),
  ];
  for (const event of events)
    await store.appendToStream(boardStreamId(board.boardId), [toEventToAppend(event, event.id, event)]);
  const stored = createStoredBoards(store);
  const reads: number[] = [];
  const storedBoards: StoredBoards = {
    load: (boardId) => stored.load(boardId),
    revision: (boardId) => stored.revision(boardId),
    eventsAfter: (boardId, after, max) => (reads.push(after), stored.eventsAfter(boardId, after, max)),
  };
  const feeds = createBoardFeeds();
  const deps = { feeds, storedBoards, membership: createMembership(), logger: createLogger({ level: 'silent' }) };
  return { owner, board, reads, feeds, deps };
}

const take = async (follow: AsyncIterator<Envelope>, count: number) => {
  for (let taken = 0; taken < count; taken += 1) await follow.next();
};

describe('A board follow', () => {
  it('reads a long stream a page at a time, the next page once the client took the last', async () => {
    const { owner, board, reads, deps } = await boardWith(2 * catchUpPage + 10);
    const follow = await followBoard(deps, owner.id, { boardId: board.boardId, afterRevision: 0 });
    await vi.waitFor(() => expect(reads).toEqual([0]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads).toEqual([0]);
    await take(follow, catchUpPage);
    await vi.waitFor(() => expect(reads).toEqual([0, catchUpPage]));
    await take(follow, catchUpPage);
    await vi.waitFor(() => expect(reads).toEqual([0, catchUpPage, 2 * catchUpPage]));
    const rest: number[] = [];
    for (let taken = 0; taken < 11; taken += 1) rest.push(((await follow.next()).value as Envelope).revision);
    expect(rest).toEqual(Array.from({ length: 11 }, (_, i) => 2 * catchUpPage + 1 + i));
    await follow.return?.();
  });

  it(`ends with SERVICE.UNAVAILABLE once it holds more than ${maxBehind} events the client did not take`, async () => {
    const { owner, board, deps } = await boardWith(0);
    const follow = await followBoard(deps, owner.id, { boardId: board.boardId });
    const live = Array.from({ length: maxBehind + 1 }, () => board.emit({ type: 'BoardRenamed', data: { name: 'x' } }));
    deps.feeds.deliver(live);
    let failure: unknown = null;
    for (let taken = 0; taken <= maxBehind + 1 && failure === null; taken += 1)
      await follow.next().catch((error: unknown) => (failure = error));
    expect(failure).toMatchObject({ extensions: { code: 'SERVICE.UNAVAILABLE' } });
    expect(await follow.next()).toEqual({ value: undefined, done: true });
  });

  it('stops listening when the client leaves, even while it waits for an event', async () => {
    const { owner, board, deps } = await boardWith(0);
    const follow = await followBoard(deps, owner.id, { boardId: board.boardId });
    const waiting = follow.next();
    await follow.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
    deps.feeds.deliver([board.emit({ type: 'BoardRenamed', data: { name: 'late' } })]);
    expect(await follow.next()).toEqual({ value: undefined, done: true });
  });
});
