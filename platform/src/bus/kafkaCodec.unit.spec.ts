import type { KafkaMessage } from 'kafkajs';
import type { Envelope } from '@primetrade/domain';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, headerValue } from './kafkaCodec.js';

const envelope: Envelope = {
  type: 'BoardRenamed',
  data: { name: 'Q3' },
  id: 'e-1',
  boardId: 'b-1',
  revision: 4,
  position: '7',
  occurredAt: '2026-01-01T00:00:00.000Z',
  actorId: 'u-1',
  correlationId: 'req-1',
  causationId: null,
  schemaVersion: 1,
};
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** What a consumer gets back for an encoded message (kafkajs hands header values as Buffers). */
function received(message: ReturnType<typeof encodeEnvelope>, headers: Record<string, string> = {}): KafkaMessage {
  const all = { ...(message.headers as Record<string, string>), ...headers };
  return {
    key: Buffer.from(String(message.key)),
    value: Buffer.from(String(message.value)),
    offset: '0',
    timestamp: '0',
    attributes: 0,
    headers: Object.fromEntries(Object.entries(all).map(([name, value]) => [name, Buffer.from(value)])),
  };
}

describe('Kafka codec', () => {
  it('puts the event’s trace context in a W3C traceparent header, and none when it has none', () => {
    expect(headerValue(encodeEnvelope({ ...envelope, traceparent }).headers, 'traceparent')).toBe(traceparent);
    expect(encodeEnvelope(envelope).headers).not.toHaveProperty('traceparent');
  });

  it('takes the traceparent header over the one in the value (another producer may have re-stamped it)', () => {
    const hop = '00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01';
    expect(
      decodeEnvelope(received(encodeEnvelope({ ...envelope, traceparent }), { traceparent: hop })).traceparent,
    ).toBe(hop);
    expect(decodeEnvelope(received(encodeEnvelope(envelope))).traceparent).toBeUndefined();
    expect(decodeEnvelope(received(encodeEnvelope(envelope)))).toEqual(envelope);
  });
});
