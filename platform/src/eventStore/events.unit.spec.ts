import { boardStreamId } from '@primetrade/domain';
import type { BoardEvent } from '@primetrade/domain';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from './eventStore.port.js';
import { toEnvelope, toEventToAppend } from './events.js';
import { comparePositions, decodePosition, encodePosition } from './position.js';

const renamed: BoardEvent = { type: 'BoardRenamed', data: { name: 'Roadmap' } };
const context = {
  occurredAt: '2026-01-02T03:04:05.000Z',
  actorId: 'user-1',
  correlationId: 'req-1',
  causationId: null,
};

describe('Envelope conversion', () => {
  it('round-trips a board event through the store shape', () => {
    const toAppend = toEventToAppend(renamed, '6f1c9a52-6a43-4d55-9f6a-0f5a8c4f0b11', context);
    const stored: StoredEvent = {
      id: toAppend.id,
      streamId: boardStreamId('board-42'),
      type: toAppend.type,
      revision: 7n,
      position: encodePosition(5n, 9n),
      data: toAppend.data,
      metadata: toAppend.metadata,
      recordedAt: new Date(),
    };
    const expected = {
      type: 'BoardRenamed',
      data: { name: 'Roadmap' },
      id: toAppend.id,
      boardId: 'board-42',
      revision: 7,
      position: stored.position,
      occurredAt: context.occurredAt,
      actorId: 'user-1',
      correlationId: 'req-1',
      causationId: null,
      schemaVersion: 1,
    };
    expect(toEnvelope(stored)).toEqual(expected);
    // The wire form (Kafka, `GET /boards/:id/events`) serializes it: the keys keep their order.
    expect(JSON.stringify(toEnvelope(stored))).toBe(JSON.stringify(expected));
  });

  it('carries the trace context when the command had one, and reads events stored without it', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const toAppend = toEventToAppend(renamed, 'e1', { ...context, traceparent });
    expect(toAppend.metadata['traceparent']).toBe(traceparent);
    const stored = {
      id: 'e1',
      streamId: boardStreamId('b'),
      type: 'BoardRenamed',
      revision: 0n,
      position: encodePosition(0n, 1n),
      data: {},
      recordedAt: new Date(),
    };
    expect(toEnvelope({ ...stored, metadata: toAppend.metadata }).traceparent).toBe(traceparent);
    const old = toEnvelope({ ...stored, metadata: toEventToAppend(renamed, 'e1', context).metadata });
    expect('traceparent' in old).toBe(false);
    expect('traceparent' in toEnvelope({ ...stored, metadata: { ...toAppend.metadata, traceparent: 42 } })).toBe(false);
  });

  it('refuses events outside a board stream or without envelope metadata', () => {
    const base = {
      id: 'x',
      type: 'BoardRenamed',
      revision: 0n,
      position: encodePosition(0n, 1n),
      data: {},
      recordedAt: new Date(),
    };
    expect(() =>
      toEnvelope({ ...base, streamId: 'user-1', metadata: toEventToAppend(renamed, 'x', context).metadata }),
    ).toThrow(TypeError);
    expect(() => toEnvelope({ ...base, streamId: boardStreamId('b'), metadata: {} })).toThrow(TypeError);
  });
});

describe('Positions', () => {
  it('order by transaction first, then by global position, numerically', () => {
    expect(comparePositions(encodePosition(2n, 1n), encodePosition(1n, 99n))).toBe(1);
    expect(comparePositions('1.10', '1.9')).toBe(1);
    expect(comparePositions(encodePosition(3n, 3n), '3.3')).toBe(0);
    expect(decodePosition(encodePosition(18446744073709551615n, 1n)).major).toBe(18446744073709551615n);
  });

  it('refuses what is not a position', () => {
    expect(() => decodePosition('abc')).toThrow(TypeError);
  });
});
