import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '@primetrade/domain';
import {
  createSqlEventStore,
  createTestDatabase,
  type EventStore,
  type StoredEvent,
  type TestDatabase,
} from '@primetrade/platform';
import { appendHistories, boardHistories } from '../testing/boardHistory.testkit.js';
import { waitFor } from '../testing/wait.testkit.js';
import { ReplayError, replayToWebhook, signBody, signatureHeader, type ReplayOptions } from './replay.js';

const secret = randomBytes(24).toString('hex');

interface Delivery {
  readonly events: Envelope[];
  readonly lastPosition: string;
}

/** A webhook endpoint that checks signatures and answers with the next scripted status (200 once the script ends). */
function startEndpoint() {
  const delivered: Delivery[] = [];
  const script: number[] = [];
  let badSignatures = 0;
  const read = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((request, response) => {
    void read(request).then((body) => {
      const expected = Buffer.from(signBody(secret, body));
      const given = Buffer.from(String(request.headers[signatureHeader] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        badSignatures += 1;
        response.writeHead(401).end();
        return;
      }
      const status = script.shift() ?? 200;
      if (status === 200) delivered.push(JSON.parse(body) as Delivery);
      response.writeHead(status).end();
    });
  });
  return {
    delivered,
    script,
    get badSignatures() {
      return badSignatures;
    },
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/events`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Replay to a webhook (ops `replay`)', () => {
  let database: TestDatabase;
  let store: EventStore;
  let stored: StoredEvent[];
  let endpoint: ReturnType<typeof startEndpoint>;
  let url: URL;
  const retries: string[] = [];
  const options = (overrides: Partial<ReplayOptions> = {}): ReplayOptions => ({
    store,
    url,
    from: null,
    secret,
    batchSize: 25,
    maxRetries: 4,
    backoffMs: { initial: 10, max: 50 },
    onProgress: () => undefined,
    onRetry: (retry) => retries.push(retry.reason),
    ...overrides,
  });

  beforeAll(async () => {
    database = await createTestDatabase('ops_replay');
    store = await createSqlEventStore(database.sql, { schema: 'event_store' });
    const appended = await appendHistories(store, boardHistories({ boards: 3, eventsPerBoard: 30, seed: 3 }), 10);
    // Not a board stream: never sent.
    await store.appendToStream('audit-1', [{ id: randomUUID(), type: 'Noted', data: {}, metadata: {} }]);
    await waitFor(
      async () => (await store.readAll({ streamPrefix: 'board-' })).length === appended,
      'the feed shows every event',
      20_000,
    );
    stored = await store.readAll({ streamPrefix: 'board-' });
  });
  beforeEach(async () => {
    endpoint = startEndpoint();
    url = await endpoint.listen();
    retries.length = 0;
  });
  afterAll(async () => {
    await endpoint?.close();
    await store.close();
    await database.drop();
  });

  it('posts every board event in store order, signed, in batches, and reports the last position', async () => {
    const progress: number[] = [];
    const result = await replayToWebhook(options({ onProgress: (p) => progress.push(p.delivered) }));
    await endpoint.close();
    const events = endpoint.delivered.flatMap((delivery) => delivery.events);
    expect(events.map((event) => event.id)).toEqual(stored.map((event) => event.id));
    expect(events.every((event) => typeof event.boardId === 'string' && typeof event.actorId === 'string')).toBe(true);
    expect(endpoint.delivered.map((delivery) => delivery.events.length).every((n) => n <= 25)).toBe(true);
    expect(endpoint.delivered.map((delivery) => delivery.lastPosition)).toEqual(
      endpoint.delivered.map((delivery) => delivery.events.at(-1)?.position),
    );
    expect(result).toEqual({ delivered: stored.length, lastPosition: stored.at(-1)?.position });
    expect(progress.at(-1)).toBe(stored.length);
    expect(endpoint.badSignatures).toBe(0);
  });

  it('retries 5xx and 429 answers with backoff, without skipping or reordering', async () => {
    endpoint.script.push(503, 503, 429, 200, 500);
    const result = await replayToWebhook(options());
    await endpoint.close();
    expect(retries).toEqual(['HTTP 503', 'HTTP 503', 'HTTP 429', 'HTTP 500']);
    expect(endpoint.delivered.flatMap((delivery) => delivery.events).map((event) => event.id)).toEqual(
      stored.map((event) => event.id),
    );
    expect(result.delivered).toBe(stored.length);
  });

  it('resumes from a position: only later events are sent', async () => {
    const from = stored[39]!.position;
    const result = await replayToWebhook(options({ from }));
    await endpoint.close();
    expect(endpoint.delivered.flatMap((delivery) => delivery.events).map((event) => event.id)).toEqual(
      stored.slice(40).map((event) => event.id),
    );
    expect(result.delivered).toBe(stored.length - 40);
  });

  it('stops at a refusal (4xx) and reports the last delivered position for the resume', async () => {
    endpoint.script.push(200, 200, 400);
    const failure = await replayToWebhook(options()).catch((error: unknown) => error);
    await endpoint.close();
    expect(failure).toBeInstanceOf(ReplayError);
    expect((failure as ReplayError).result).toEqual({ delivered: 50, lastPosition: stored[49]!.position });
    expect(retries).toEqual([]);
  });

  it('gives up after the retries when the endpoint cannot be reached, reporting where to resume', async () => {
    await endpoint.close();
    const failure = await replayToWebhook(options({ maxRetries: 2 })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ReplayError);
    expect((failure as ReplayError).message).toMatch(/gave up after 3 attempts/);
    expect((failure as ReplayError).result).toEqual({ delivered: 0, lastPosition: null });
    expect(retries).toHaveLength(2);
  });
});
