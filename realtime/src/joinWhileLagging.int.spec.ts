import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { boardStreamId, type Envelope } from '@primetrade/domain';
import { createInMemoryEventStore, toEventToAppend, type EventStore } from '@primetrade/platform';
import { applyEnvelopes, BoardStream } from '@primetrade/projector';
import { createMigratedPostgres, createStoredBoards, type MigratedDatabase } from '@primetrade/read-model';
import { readModelAccess } from './readModelAccess.js';
import { join, newUser, startRealtime, type Harness, type TestUser } from './realtime.testkit.js';

/**
 * A join right after a write, while the projector is held back: the read models (real PostgreSQL)
 * get only what a test projects by hand; the event store has everything.
 */
let database: MigratedDatabase;
let store: EventStore;
let harness: Harness;
let owner: TestUser;
let bob: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  database = await createMigratedPostgres('rtlag');
});
afterAll(() => database.drop());
beforeEach(async () => {
  store = createInMemoryEventStore();
  harness = await startRealtime({
    readModel: readModelAccess(database.sql).membership,
    storedBoards: createStoredBoards(store),
  });
  [owner, bob, stranger] = [newUser('olga'), newUser('bob'), newUser('stan')];
});
afterEach(async () => {
  await harness.close();
  await store.close();
});

/** The write: in the store at once (as command-api appends). */
async function write(events: readonly Envelope[]): Promise<void> {
  for (const event of events)
    await store.appendToStream(boardStreamId(event.boardId), [toEventToAppend(event, event.id, event)]);
}

/** The projector, when a test lets it run. */
const project = (events: readonly Envelope[]) => applyEnvelopes(database.sql, events);

describe('board:join while the read models lag the store', () => {
  it('admits the creator of a board the read models do not know yet, acking a revision the store has', async () => {
    const board = new BoardStream({ ownerId: owner.id });
    await write(board.create());
    const ack = await join(await harness.connect(owner), { boardId: board.boardId, afterRevision: board.revision });
    expect(ack).toEqual({ ok: true, revision: board.revision });
    expect(Number(await store.streamRevision(boardStreamId(board.boardId)))).toBeGreaterThanOrEqual(board.revision);
  });

  it('admits a member added a moment ago, with or without afterRevision', async () => {
    const board = new BoardStream({ ownerId: owner.id });
    const created = board.create();
    await write(created);
    await project(created);
    await write([board.addMember(bob.id, 'viewer')]);
    const client = await harness.connect(bob);
    expect(await join(client, { boardId: board.boardId, afterRevision: board.revision })).toEqual({
      ok: true,
      revision: board.revision,
    });
    expect(await join(client, { boardId: board.boardId })).toEqual({ ok: true, revision: board.revision });
  });

  it('refuses a non-member BOARD.NOT_FOUND, exactly as for a board that does not exist', async () => {
    const board = new BoardStream({ ownerId: owner.id });
    await write(board.create());
    const client = await harness.connect(stranger);
    const refused = await join(client, { boardId: board.boardId, afterRevision: board.revision });
    const unknown = await join(client, { boardId: new BoardStream().boardId, afterRevision: board.revision });
    expect(refused).toEqual({ ok: false, code: 'BOARD.NOT_FOUND', message: 'Board not found' });
    expect(unknown).toEqual(refused);
  });

  it('refuses a member removed a moment ago, though the read models still list them', async () => {
    const board = new BoardStream({ ownerId: owner.id });
    const before = [...board.create(), board.addMember(bob.id)];
    await write(before);
    await project(before);
    const loaded = board.revision;
    await write([board.emit({ type: 'MemberRemoved', data: { userId: bob.id } })]);
    const ack = await join(await harness.connect(bob), { boardId: board.boardId, afterRevision: loaded });
    expect(ack).toMatchObject({ ok: false, code: 'BOARD.NOT_FOUND' });
    expect(await harness.server.io.in(`board:${board.boardId}`).fetchSockets()).toHaveLength(0);
  });

  it('decides from the read models once they are current', async () => {
    const board = new BoardStream({ ownerId: owner.id });
    const events = [...board.create(), board.addMember(bob.id)];
    await write(events);
    await project(events);
    expect(await join(await harness.connect(bob), { boardId: board.boardId, afterRevision: board.revision })).toEqual({
      ok: true,
      revision: board.revision,
    });
  });

  it('admits a member whose MemberAdded the projector commits in the middle of the admission', async () => {
    const board = new BoardStream({ ownerId: owner.id });
    const created = board.create();
    await write(created);
    await project(created);
    const added = [board.addMember(bob.id, 'viewer')];
    await write(added);
    // The projector's commit lands right after the node's first read-model query has answered:
    // whatever the node reads after that sees the member (and the new revision).
    const real = readModelAccess(database.sql).membership;
    let committed: Promise<unknown> | null = null;
    const commitOnce = () => (committed ??= project(added));
    const afterCommit = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await commitOnce();
    };
    await harness.close();
    harness = await startRealtime({
      readModel: {
        roleOf: async (boardId, userId) => {
          const role = await real.roleOf(boardId, userId);
          await commitOnce();
          return role;
        },
        revisionOf: async (boardId) => {
          await afterCommit();
          return real.revisionOf(boardId);
        },
        standingOf: async (boardId, userId) => {
          const standing = await real.standingOf(boardId, userId);
          await commitOnce();
          return standing;
        },
      },
      storedBoards: createStoredBoards(store),
    });
    const ack = await join(await harness.connect(bob), { boardId: board.boardId, afterRevision: board.revision - 1 });
    expect(ack).toEqual({ ok: true, revision: board.revision });
  });
});
