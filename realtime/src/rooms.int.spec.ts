import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  envelope,
  join,
  newUser,
  record,
  startRealtime,
  type Client,
  type Harness,
  type TestUser,
} from './realtime.testkit.js';

// Written independently of the server's parser on purpose: the oracle must not be the code under test.
const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notAUuid = fc.oneof(
  fc.string().filter((text) => !uuidShape.test(text)),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.uuid().map((id) => `${id} `),
  fc.uuid().map((id) => id.slice(1)),
);
const badRevision = fc.oneof(
  fc.integer({ max: -1 }),
  fc.double().filter((value) => !Number.isInteger(value)),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { minLength: 1 }),
);
const invalidJoinPayload = fc.oneof(
  fc.anything().filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
  fc.object().filter((value) => typeof value['boardId'] !== 'string' || !uuidShape.test(value['boardId'])),
  fc.record({ boardId: notAUuid, afterRevision: fc.option(fc.nat(), { nil: undefined }) }),
  fc.record({ boardId: fc.uuid(), afterRevision: badRevision }),
);

describe('Board rooms', () => {
  let harness: Harness;
  let ada: TestUser;
  let client: Client;
  const boardId = randomUUID();

  beforeEach(async () => {
    harness = await startRealtime();
    ada = newUser('ada');
    harness.membership.grant(boardId, ada.id);
    client = await harness.connect(ada);
  });
  afterEach(() => harness.close());

  describe('when a member joins', () => {
    it('acks with the read model revision and puts the socket in the board room', async () => {
      harness.membership.setRevision(boardId, 41);
      expect(await join(client, { boardId, afterRevision: 40 })).toEqual({ ok: true, revision: 41 });
      const inRoom = await harness.server.io.in(`board:${boardId}`).fetchSockets();
      expect(inRoom.map((socket) => socket.id)).toEqual([client.id]);
    });

    it('acks revision -1 while the read model has nothing for the board', async () => {
      expect(await join(client, { boardId })).toEqual({ ok: true, revision: -1 });
    });
  });

  describe('when a non-member joins', () => {
    it('refuses with BOARD.NOT_FOUND and does not join the room', async () => {
      const ack = await join(client, { boardId: randomUUID() });
      expect(ack).toMatchObject({ ok: false, code: 'BOARD.NOT_FOUND' });
      expect(harness.server.io.sockets.adapter.rooms.has(`board:${boardId}`)).toBe(false);
    });

    it('refuses a member of another board', async () => {
      const bob = newUser('bob');
      const bobClient = await harness.connect(bob);
      expect(await join(bobClient, { boardId })).toMatchObject({ ok: false, code: 'BOARD.NOT_FOUND' });
    });
  });

  describe('when the membership query fails', () => {
    it('refuses with SERVICE.UNAVAILABLE', async () => {
      harness.membership.roleOf = () => Promise.reject(new Error('read model down'));
      expect(await join(client, { boardId })).toMatchObject({ ok: false, code: 'SERVICE.UNAVAILABLE' });
    });
  });

  describe('when the payload is invalid', () => {
    it('always acks VALIDATION.FAILED and keeps serving', async () => {
      await fc.assert(
        fc.asyncProperty(invalidJoinPayload, async (payload) => {
          const ack = await join(client, payload as { boardId: string });
          expect(ack).toMatchObject({ ok: false, code: 'VALIDATION.FAILED' });
          expect(ack.ok === false && ack.message.length > 0).toBe(true);
        }),
        { numRuns: 200 },
      );
      expect(client.connected).toBe(true);
      expect(await join(client, { boardId })).toMatchObject({ ok: true });
    });

    it('survives messages without an ack callback or without any argument', async () => {
      const emitRaw = client.emit.bind(client) as (event: string, ...args: unknown[]) => void;
      fc.assert(
        fc.property(fc.array(fc.anything(), { maxLength: 3 }), (args) => {
          emitRaw('board:join', ...args);
          emitRaw('board:leave', ...args);
          emitRaw('presence:update', ...args);
        }),
        { numRuns: 100 },
      );
      emitRaw('board:join');
      expect(await join(client, { boardId })).toMatchObject({ ok: true });
      expect(client.connected).toBe(true);
    });
  });

  describe('when one socket floods board:join', () => {
    it('answers the joins past 10 a second RATE_LIMITED without asking the read models', async () => {
      const asked: string[] = [];
      await harness.close();
      harness = await startRealtime({
        readModel: {
          roleOf: (board, user) => {
            asked.push(board);
            return harness.membership.roleOf(board, user);
          },
          revisionOf: (board) => harness.membership.revisionOf(board),
          standingOf: (board, user) => {
            asked.push(board);
            return harness.membership.standingOf(board, user);
          },
        },
      });
      harness.membership.grant(boardId, ada.id);
      client = await harness.connect(ada);
      const acks = await Promise.all(Array.from({ length: 60 }, () => join(client, { boardId })));
      const limited = acks.filter((ack) => !ack.ok && ack.code === 'RATE_LIMITED');
      expect(limited.length).toBeGreaterThanOrEqual(40);
      expect(limited.every((ack) => !ack.ok && ack.message.length > 0)).toBe(true);
      // Each admitted join asked twice (admission, then the re-check in the room); a refused one never.
      expect(asked).toHaveLength((acks.length - limited.length) * 2);
      expect(client.connected).toBe(true);
    });
  });

  describe('when a leave is invalid', () => {
    it('acks VALIDATION.FAILED with a message, as a refused join does', async () => {
      const leave = (payload: unknown): Promise<unknown> => client.timeout(5_000).emitWithAck('board:leave', payload);
      for (const payload of [undefined, {}, { boardId: 'not-a-uuid' }, 'board']) {
        const ack = await leave(payload);
        expect(ack).toMatchObject({ ok: false, code: 'VALIDATION.FAILED' });
        expect((ack as { message?: unknown }).message).toMatch(/payload|boardId/);
      }
    });
  });

  describe('when a member leaves', () => {
    it('stops receiving the board events', async () => {
      const seen = record(client);
      await join(client, { boardId });
      const left: unknown = await client.timeout(5_000).emitWithAck('board:leave', { boardId });
      expect(left).toEqual({ ok: true });
      await harness.server.publish([envelope(boardId, 0)]);
      // A round trip after the publish: anything sent before it has arrived.
      await join(client, { boardId: randomUUID() });
      expect(seen.batches).toEqual([]);
    });
  });
});
