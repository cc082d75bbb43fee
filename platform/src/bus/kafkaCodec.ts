import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { Envelope } from '@primetrade/domain';
import { HaltPartitionError } from './eventBus.port.js';

/** One board event per message: key = board id (its partition), value = the envelope as JSON. */
export function encodeEnvelope(event: Envelope, extraHeaders: Readonly<Record<string, string>> = {}): Message {
  return {
    key: event.boardId,
    value: JSON.stringify(event),
    headers: {
      ...extraHeaders,
      'event-id': event.id,
      'event-type': event.type,
      revision: String(event.revision),
      // W3C Trace Context over Kafka, readable by any traced consumer (docs/operations.md "Tracing").
      ...(event.traceparent ? { traceparent: event.traceparent } : {}),
    },
  };
}

/** A message this code cannot read halts its partition: skipping it would lose an event. */
export function decodeEnvelope(message: KafkaMessage): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(message.value?.toString('utf8') ?? 'null');
  } catch (error) {
    throw new HaltPartitionError(
      new TypeError(`Kafka message at offset ${message.offset} is not JSON: ${String(error)}`),
    );
  }
  const candidate = value as Partial<Envelope> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.boardId !== 'string' ||
    typeof candidate.id !== 'string' ||
    typeof candidate.type !== 'string' ||
    !Number.isSafeInteger(candidate.revision)
  ) {
    throw new HaltPartitionError(
      new TypeError(`Kafka message at offset ${message.offset} is not a board event envelope`),
    );
  }
  const traceparent = headerValue(message.headers, 'traceparent');
  return (traceparent === undefined ? candidate : { ...candidate, traceparent }) as Envelope;
}

/** A header as a string (kafkajs gives Buffers). */
export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
