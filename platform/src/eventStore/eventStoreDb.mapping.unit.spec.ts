import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { events } from './eventStore.contractSuite.js';
import { DuplicateEventIdError, WrongExpectedVersionError } from './eventStore.port.js';
import {
  classifyConflict,
  compareLogPositions,
  fromLogPosition,
  impliedFirstRevision,
  isVisible,
  planAllRead,
  planStreamRead,
  streamFilterPlan,
  toClientExpectedRevision,
  toLogPosition,
  toStoredEvent,
} from './eventStoreDb.mapping.js';
import type { RecordedEventLike } from './eventStoreDb.mapping.js';
import { comparePositions } from './position.js';

const recorded = (overrides: Partial<RecordedEventLike> = {}): RecordedEventLike => ({
  id: randomUUID(),
  streamId: 'board-1',
  type: 'TaskMoved',
  revision: 3n,
  created: new Date('2026-01-01T00:00:00.000Z'),
  data: { taskId: 't1' },
  metadata: { actorId: 'u1' },
  position: { commit: 1234n, prepare: 1234n },
  ...overrides,
});

describe('EventStoreDB mapping', () => {
  describe('positions', () => {
    it('round-trips commit and prepare through the position string', () => {
      const log = { commit: 9_223_372_036_854_775_807n, prepare: 42n };
      expect(toLogPosition(fromLogPosition(log))).toEqual(log);
    });

    it('sorts position strings in log order, commit first, then prepare', () => {
      const logs = [
        { commit: 10n, prepare: 10n },
        { commit: 9n, prepare: 200n },
        { commit: 10n, prepare: 9n },
        { commit: 1_000_000n, prepare: 0n },
        { commit: 0n, prepare: 0n },
      ];
      const byLog = [...logs].sort(compareLogPositions).map(fromLogPosition);
      expect([...byLog].sort()).toEqual(byLog);
      expect([...byLog].reverse().sort(comparePositions)).toEqual(byLog);
      expect(byLog[0]).toBe(fromLogPosition({ commit: 0n, prepare: 0n }));
      expect(byLog[1]).toBe(fromLogPosition({ commit: 9n, prepare: 200n }));
    });

    it('refuses a string that is not a position', () => {
      expect(() => toLogPosition('1234')).toThrow(TypeError);
      expect(() => toLogPosition('a.b')).toThrow(TypeError);
    });
  });

  describe('expected revisions', () => {
    it('passes the four modes through and refuses a negative revision', () => {
      for (const expected of ['any', 'no_stream', 'stream_exists', 0n, 41n] as const)
        expect(toClientExpectedRevision(expected)).toBe(expected);
      expect(() => toClientExpectedRevision(-1n)).toThrow(RangeError);
    });

    it('names the first revision an append would have written', () => {
      expect(impliedFirstRevision('no_stream')).toBe(0n);
      expect(impliedFirstRevision(4n)).toBe(5n);
      expect(impliedFirstRevision('any')).toBeNull();
      expect(impliedFirstRevision('stream_exists')).toBeNull();
    });
  });

  describe('stream reads', () => {
    it('turns a revision range and a count into one forward read', () => {
      expect(planStreamRead({})).toEqual({ fromRevision: 0n, maxCount: BigInt(Number.MAX_SAFE_INTEGER) });
      expect(planStreamRead({ fromRevision: 1n, toRevision: 3n })).toEqual({ fromRevision: 1n, maxCount: 3n });
      expect(planStreamRead({ fromRevision: 1n, toRevision: 30n, maxCount: 2 })).toEqual({
        fromRevision: 1n,
        maxCount: 2n,
      });
      expect(planStreamRead({ fromRevision: 1n, toRevision: 2n, maxCount: 20 })).toEqual({
        fromRevision: 1n,
        maxCount: 2n,
      });
    });

    it('reads nothing for an empty range or a zero count', () => {
      expect(planStreamRead({ fromRevision: 5n, toRevision: 4n })).toBeNull();
      expect(planStreamRead({ maxCount: 0 })).toBeNull();
    });

    it('refuses a negative revision or a count that is not a count', () => {
      expect(() => planStreamRead({ fromRevision: -1n })).toThrow(RangeError);
      expect(() => planStreamRead({ maxCount: -1 })).toThrow(RangeError);
      expect(() => planStreamRead({ maxCount: 1.5 })).toThrow(RangeError);
    });
  });

  describe('$all reads', () => {
    it('decodes the exclusive start and defaults to everything', () => {
      expect(planAllRead({})).toEqual({ after: null, maxCount: Number.POSITIVE_INFINITY });
      expect(planAllRead({ after: fromLogPosition({ commit: 7n, prepare: 6n }), maxCount: 3 })).toEqual({
        after: { commit: 7n, prepare: 6n },
        maxCount: 3,
      });
      expect(() => planAllRead({ after: 'nonsense' })).toThrow(TypeError);
      expect(() => planAllRead({ maxCount: -2 })).toThrow(RangeError);
    });

    it('shows a prefix’s streams, or every stream that is not the server’s own', () => {
      expect(isVisible('board-1', 'board-')).toBe(true);
      expect(isVisible('user-1', 'board-')).toBe(false);
      expect(isVisible('user-1', undefined)).toBe(true);
      expect(isVisible('$stats-127.0.0.1:2113', undefined)).toBe(false);
      expect(isVisible('$$board-1', undefined)).toBe(false);
      expect(streamFilterPlan('board-')).toEqual({ prefixes: ['board-'] });
      expect(streamFilterPlan(undefined)).toEqual({ regex: '^[^$]' });
      const everyUserStream = streamFilterPlan(undefined);
      if (!('regex' in everyUserStream)) throw new Error('expected a regex filter');
      expect(new RegExp(everyUserStream.regex).test('$ce-board')).toBe(false);
      expect(new RegExp(everyUserStream.regex).test('board-1')).toBe(true);
    });
  });

  describe('recorded events', () => {
    it('maps a recorded event to the port’s stored event', () => {
      const source = recorded({ id: 'A0B1C2D3-0000-4000-8000-000000000001' });
      expect(toStoredEvent(source)).toEqual({
        id: 'a0b1c2d3-0000-4000-8000-000000000001',
        streamId: 'board-1',
        type: 'TaskMoved',
        revision: 3n,
        position: fromLogPosition({ commit: 1234n, prepare: 1234n }),
        data: { taskId: 't1' },
        metadata: { actorId: 'u1' },
        recordedAt: source.created,
      });
    });

    it('reads missing data as null and metadata that is not an object as empty', () => {
      const stored = toStoredEvent(recorded({ data: undefined, metadata: new Uint8Array([1, 2]) }));
      expect(stored.data).toBeNull();
      expect(stored.metadata).toEqual({});
      expect(toStoredEvent(recorded({ metadata: undefined })).metadata).toEqual({});
    });

    it('refuses an event without a position (a server older than 22.6)', () => {
      const { position: _, ...withoutPosition } = recorded();
      expect(() => toStoredEvent(withoutPosition)).toThrow(/without a position/);
    });
  });

  describe('conflicts', () => {
    const batch = events(2);
    const ids = batch.map((event) => event.id);

    it('keeps a real conflict on an exact revision, with the server’s actual revision', () => {
      const error = classifyConflict('s', batch, 3n, {
        actual: 5n,
        storedAtImpliedPlace: [randomUUID(), randomUUID()],
      });
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ streamId: 's', expected: 3n, actual: 5n });
    });

    it('keeps a conflict on a missing stream', () => {
      expect(classifyConflict('s', batch, 0n, { actual: 'no_stream', storedAtImpliedPlace: [] })).toMatchObject({
        expected: 0n,
        actual: 'no_stream',
      });
      expect(classifyConflict('s', batch, 'stream_exists', { actual: 'no_stream' })).toBeInstanceOf(
        WrongExpectedVersionError,
      );
    });

    it('calls a batch whose first id sits where it would have gone a duplicate (partly stored)', () => {
      const error = classifyConflict('s', batch, 'no_stream', {
        actual: 0n,
        storedAtImpliedPlace: [ids[0]!.toUpperCase()],
      });
      expect(error).toBeInstanceOf(DuplicateEventIdError);
      expect(error).toMatchObject({ streamId: 's', eventIds: [ids[0]] });
    });

    it('calls any conflict under any, or under stream_exists on an existing stream, a duplicate', () => {
      expect(classifyConflict('s', batch, 'any', { actual: 4n })).toMatchObject({
        name: 'DuplicateEventIdError',
        eventIds: ids,
      });
      expect(classifyConflict('s', batch, 'stream_exists', { actual: 4n })).toBeInstanceOf(DuplicateEventIdError);
    });
  });
});
