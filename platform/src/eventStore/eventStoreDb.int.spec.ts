import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { GenericContainer, Wait, getContainerRuntimeClient } from 'testcontainers';
import type { StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventStoreContract, events } from './eventStore.contractSuite.js';
import type { StoredEvent } from './eventStore.port.js';
import { createEventStoreDbEventStore } from './eventStoreDbEventStore.js';

/**
 * The shared contract against a real EventStoreDB (docs/architecture.md, ADR 0007): the server at
 * EVENTSTORE_URL (e.g. `esdb://localhost:2113?tls=false`), or else a throw-away container where
 * Docker answers (image EVENTSTORE_IMAGE, default below: the 24.10 LTS on Docker Hub, the line
 * @eventstore/db-client 6 was made for). Without either the suite is registered as skipped and says so.
 */
const defaultImage = 'eventstore/eventstore:24.10';

type Server =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'docker'; readonly image: string }
  | { readonly kind: 'none' };

async function findServer(): Promise<Server> {
  const url = process.env.EVENTSTORE_URL;
  if (url) return { kind: 'url', url };
  try {
    await getContainerRuntimeClient(); // rejects at once without Docker
    return { kind: 'docker', image: process.env.EVENTSTORE_IMAGE ?? defaultImage };
  } catch {
    return { kind: 'none' };
  }
}

const server = await findServer();
if (server.kind === 'none')
  console.log('EventStoreDB contract: not run — no server (set EVENTSTORE_URL or provide Docker)');
/** A relay can stand in front of one plain-TCP node; not of a cluster (gossip names the nodes) or TLS. */
const relayable =
  server.kind === 'docker' ||
  (server.kind === 'url' && /^esdb:\/\/[^,/?]+([/?]|$)/.test(server.url) && /[?&]tls=false/i.test(server.url));

/** A TCP relay in front of the server whose connections a test can cut. */
async function startRelay(target: { readonly host: string; readonly port: number }) {
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((inbound) => {
    const outbound = net.connect(target.port, target.host);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as AddressInfo).port,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}

describe.skipIf(server.kind === 'none')('EventStoreDB', () => {
  let container: StartedTestContainer | null = null;
  let connectionString = '';

  beforeAll(async () => {
    if (server.kind === 'url') {
      connectionString = server.url;
    } else if (server.kind === 'docker') {
      container = await new GenericContainer(server.image)
        .withEnvironment({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_MEM_DB: 'true', EVENTSTORE_RUN_PROJECTIONS: 'None' })
        .withExposedPorts(2113)
        .withWaitStrategy(
          Wait.forHttp('/health/live', 2113).forStatusCodeMatching((status) => status >= 200 && status < 300),
        )
        .withStartupTimeout(120_000)
        .start();
      connectionString = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
    }
  });
  afterAll(async () => {
    await container?.stop();
  });

  const open = (url = connectionString) =>
    createEventStoreDbEventStore({
      connectionString: url,
      watchdog: { probeIntervalMs: 500, stallMs: 3_000, confirmTimeoutMs: 5_000 },
    });

  // The fault decorator acts inside a SQL transaction; EventStoreDB has none to act in, so no fault is passed.
  eventStoreContract(
    'EventStoreDB',
    async () => {
      const store = open();
      return { store, cleanup: () => store.close() };
    },
    // EventStoreDB recognises retries only; it stores a reused id again elsewhere (ADR 0007).
    { refusesEveryStoredId: false, takesFaults: false },
  );

  describe('EventStoreDB specifics', () => {
    it('keeps the server’s own streams out of readAll and subscribeToAll without a prefix', async () => {
      const store = open();
      try {
        const streamId = `esdb-${randomUUID()}`;
        const first = await store.appendToStream(streamId, events(1));
        const seen: StoredEvent[] = [];
        const subscription = store.subscribeToAll({ after: first.position }, async (batch) => {
          seen.push(...batch);
        });
        await store.appendToStream(streamId, events(1));
        await vi.waitFor(
          () => expect(seen.some((event) => event.streamId === streamId && event.revision === 1n)).toBe(true),
          { timeout: 20_000, interval: 10 },
        );
        await subscription.stop();
        expect(seen.filter((event) => event.streamId.startsWith('$'))).toEqual([]);
        const after = await store.readAll({ after: first.position });
        expect(after.filter((event) => event.streamId.startsWith('$'))).toEqual([]);
        expect(after.find((event) => event.streamId === streamId)?.revision).toBe(1n);
      } finally {
        await store.close();
      }
    });

    if (relayable) {
      it('resubscribes after its connection is cut and delivers every event once', async () => {
        const target = new URL(connectionString.replace(/^esdb(\+discover)?:/, 'http:'));
        const relay = await startRelay({ host: target.hostname, port: Number(target.port || 2113) });
        const viaRelay = open(connectionString.replace(target.host, `127.0.0.1:${relay.port}`));
        const direct = open();
        try {
          const prefix = `cut-${randomUUID()}-`;
          const seen: StoredEvent[] = [];
          const errors: unknown[] = [];
          const subscription = viaRelay.subscribeToAll(
            { streamPrefix: prefix, onError: (error) => errors.push(error) },
            async (batch) => {
              seen.push(...batch);
            },
          );
          const before = events(2);
          await direct.appendToStream(`${prefix}a`, before);
          await vi.waitFor(() => expect(seen).toHaveLength(2), { timeout: 20_000, interval: 10 });
          relay.cut();
          const after = events(3);
          await direct.appendToStream(`${prefix}a`, after);
          await vi.waitFor(
            () => expect(seen.map((event) => event.id)).toEqual([...before, ...after].map((event) => event.id)),
            { timeout: 30_000, interval: 10 },
          );
          expect(errors.length).toBeGreaterThan(0);
          await subscription.stop();
        } finally {
          await viaRelay.close();
          await direct.close();
          await relay.close();
        }
      });
    }
  });
});

describe('EventStoreDB adapter', () => {
  describe('when no server answers', () => {
    it('rejects reads and appends with the client’s error, and a subscription keeps retrying until stopped', async () => {
      const closed = net.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const store = createEventStoreDbEventStore({
        connectionString: `esdb://127.0.0.1:${port}?tls=false`,
        watchdog: { minRetryDelayMs: 20, maxRetryDelayMs: 50 },
      });
      await expect(store.appendToStream('s-1', events(1))).rejects.toThrow(/UNAVAILABLE|ECONNREFUSED/);
      await expect(store.readStream('s-1')).rejects.toThrow(/UNAVAILABLE|ECONNREFUSED/);
      await expect(store.readAll({})).rejects.toThrow(/UNAVAILABLE|ECONNREFUSED/);
      const errors: unknown[] = [];
      const handled: StoredEvent[] = [];
      const subscription = store.subscribeToAll(
        { streamPrefix: 'x-', onError: (error) => errors.push(error) },
        async (batch) => {
          handled.push(...batch);
        },
      );
      await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 10 });
      const stopping = Date.now();
      await subscription.stop();
      await store.close();
      expect(Date.now() - stopping).toBeLessThan(1_000);
      expect(handled).toEqual([]);
      expect(() => store.subscribeToAll({}, async () => undefined)).toThrow(/closed/);
    });

    it('refuses a connection string or timings it cannot use, at once', () => {
      expect(() => createEventStoreDbEventStore({ connectionString: 'http://localhost:2113' })).toThrow(/esdb:\/\//);
      expect(() =>
        createEventStoreDbEventStore({ connectionString: 'esdb://localhost:2113?tls=false', watchdog: { stallMs: 0 } }),
      ).toThrow(RangeError);
      expect(() =>
        createEventStoreDbEventStore({ connectionString: 'esdb://localhost:2113?tls=false', batchSize: 0 }),
      ).toThrow(RangeError);
    });
  });
});
