import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJoin, parseLeave, parsePresence } from './payloads.js';

const boardId = randomUUID();

describe('Realtime payloads', () => {
  describe('board:join', () => {
    it('accepts a board id with or without a non-negative integer afterRevision', () => {
      expect(parseJoin({ boardId })).toEqual({ ok: true, value: { boardId, afterRevision: null } });
      fc.assert(
        fc.property(fc.nat(), (afterRevision) => {
          expect(parseJoin({ boardId, afterRevision })).toEqual({ ok: true, value: { boardId, afterRevision } });
        }),
      );
    });

    it('names the offending field', () => {
      expect(parseJoin({ boardId: 'board-1' })).toEqual({ ok: false, message: 'boardId must be a UUID' });
      expect(parseJoin({ boardId, afterRevision: -1 })).toEqual({
        ok: false,
        message: 'afterRevision must be a non-negative integer',
      });
      expect(parseJoin([boardId])).toEqual({ ok: false, message: 'payload must be an object' });
    });
  });

  describe('board:leave', () => {
    it('needs a UUID board id', () => {
      expect(parseLeave({ boardId })).toEqual({ ok: true, value: { boardId } });
      expect(parseLeave({})).toMatchObject({ ok: false });
    });
  });

  describe('a UUID in capitals', () => {
    // PostgreSQL compares UUIDs case-insensitively, room names do not: `board:ABC…` would be a room
    // of its own that a member could join and where no push ever arrives.
    it('names the same board, in the lower case the rooms and the store use', () => {
      const taskId = randomUUID();
      expect(parseJoin({ boardId: boardId.toUpperCase() })).toEqual({
        ok: true,
        value: { boardId, afterRevision: null },
      });
      expect(parseLeave({ boardId: boardId.toUpperCase() })).toEqual({ ok: true, value: { boardId } });
      expect(parsePresence({ boardId: boardId.toUpperCase(), taskId: taskId.toUpperCase() })).toEqual({
        ok: true,
        value: { boardId, taskId, editing: undefined },
      });
    });
  });

  describe('presence:update', () => {
    it('keeps absent fields absent so the socket’s previous presence survives', () => {
      expect(parsePresence({ boardId })).toEqual({
        ok: true,
        value: { boardId, taskId: undefined, editing: undefined },
      });
    });

    it('accepts a null taskId as "no task"', () => {
      expect(parsePresence({ boardId, taskId: null, editing: false })).toEqual({
        ok: true,
        value: { boardId, taskId: null, editing: false },
      });
    });

    it('refuses a taskId that is not a UUID and an editing flag that is not a boolean', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.integer(), fc.boolean()), (taskId) => {
          expect(parsePresence({ boardId, taskId })).toMatchObject({
            ok: false,
            message: 'taskId must be a UUID or null',
          });
        }),
      );
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), (editing) => {
          expect(parsePresence({ boardId, editing })).toMatchObject({
            ok: false,
            message: 'editing must be a boolean',
          });
        }),
      );
    });
  });
});
