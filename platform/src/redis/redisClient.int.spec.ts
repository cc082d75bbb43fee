import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../observability/metrics.js';
import { unusedPort } from '../testkit/redis.testkit.js';
import { startTcpProxy, type TcpProxy } from '../testkit/tcpProxy.testkit.js';
import { createRedisClient, reconnectDelayMs, redisHealth, redisReady, type Redis } from './redisClient.js';
import { defineRedisScript } from './redisScript.js';

function capturingLogger() {
  const messages: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) messages.push((JSON.parse(line) as { msg: string }).msg);
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), messages };
}

async function redisUp(metrics: ReturnType<typeof createMetrics>, name: string): Promise<number | undefined> {
  const metric = await metrics.registry.getSingleMetric('primetrade_redis_up')?.get();
  return metric?.values.find((value) => value.labels.name === name)?.value;
}

describe('Redis client', () => {
  const clients: Redis[] = [];
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await proxy?.close();
    proxy = undefined;
  });

  describe('while Redis answers', () => {
    it('connects at once, reports up, names its connection, and runs scripts by SHA', async () => {
      const metrics = createMetrics();
      const client = createRedisClient({ url: 'redis://127.0.0.1:6379', name: 'test-up', metrics });
      clients.push(client);
      await redisReady(client);
      expect(redisHealth(client)).toBe('up');
      expect(await client.client('GETNAME')).toBe('test-up');
      expect(await redisUp(metrics, 'test-up')).toBe(1);
      const echo = defineRedisScript(`return {KEYS[1], ARGV[1]} -- ${Date.now()}`);
      // The first run meets NOSCRIPT and sends the body; the second runs by SHA.
      expect(await echo(client, ['k'], ['v'])).toEqual(['k', 'v']);
      expect(await echo(client, ['k2'], [2])).toEqual(['k2', '2']);
    });
  });

  describe('when Redis is unreachable', () => {
    it('reports down and fails a command at once instead of queueing it', async () => {
      const client = createRedisClient({ url: `redis://127.0.0.1:${await unusedPort()}`, name: 'test-down' });
      clients.push(client);
      expect(redisHealth(client)).toBe('down');
      const started = Date.now();
      await expect(client.get('anything')).rejects.toThrow(/enableOfflineQueue/);
      expect(Date.now() - started).toBeLessThan(100);
      await expect(redisReady(client, 200)).rejects.toThrow(/test-down not ready after 200 ms/);
    });
  });

  describe('when the connection drops and comes back', () => {
    it('logs each change once, not once per retry, and tracks it in the gauge', async () => {
      const { logger, messages } = capturingLogger();
      const metrics = createMetrics();
      proxy = await startTcpProxy(6379);
      const client = createRedisClient({ url: `redis://127.0.0.1:${proxy.port}`, name: 'test-flaky', logger, metrics });
      clients.push(client);
      await redisReady(client);
      let reconnects = 0;
      client.on('reconnecting', () => (reconnects += 1));

      proxy.cut();
      await vi.waitFor(() => expect(reconnects).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
      expect(redisHealth(client)).toBe('down');
      expect(await redisUp(metrics, 'test-flaky')).toBe(0);

      proxy.restore();
      await redisReady(client, 10_000);
      expect(await redisUp(metrics, 'test-flaky')).toBe(1);
      const ended = new Promise((resolve) => client.once('end', resolve));
      await client.quit();
      await ended;
      expect(messages).toEqual([
        'redis: connected',
        'redis: connection down, reconnecting with backoff',
        'redis: connected',
        'redis: connection closed',
      ]);
    });
  });

  describe('in the subscriber role', () => {
    it('keeps a subscription made while Redis is down, and renews it after a reconnection', async () => {
      proxy = await startTcpProxy(6379);
      proxy.cut();
      const subscriber = createRedisClient({
        url: `redis://127.0.0.1:${proxy.port}`,
        name: 'test-sub',
        role: 'subscriber',
      });
      const publisher = createRedisClient({ url: 'redis://127.0.0.1:6379', name: 'test-pub' });
      clients.push(subscriber, publisher);
      const channel = `pt:test-sub:${randomUUID()}`;
      const received: string[] = [];
      subscriber.on('message', (_channel: string, message: string) => received.push(message));
      const subscribed = subscriber.subscribe(channel);
      await sleep(300);
      proxy.restore();
      await subscribed;
      await redisReady(publisher);
      await publisher.publish(channel, 'first');
      await vi.waitFor(() => expect(received).toEqual(['first']));

      proxy.cut();
      await vi.waitFor(() => expect(redisHealth(subscriber)).toBe('down'));
      proxy.restore();
      await redisReady(subscriber, 10_000);
      await vi.waitFor(async () => expect(await publisher.publish(channel, 'again')).toBe(1));
      await vi.waitFor(() => expect(received.at(-1)).toBe('again'));
    });
  });

  it('backs off exponentially to a 5 s cap', () => {
    expect(reconnectDelayMs(1, () => 0)).toBe(100);
    expect(reconnectDelayMs(4, () => 0)).toBe(800);
    expect(reconnectDelayMs(50, () => 0.999)).toBe(5_099);
  });

  it('refuses a URL that is not a redis URL, naming the client', () => {
    expect(() => createRedisClient({ url: 'http://127.0.0.1:6379', name: 'api' })).toThrow(
      /createRedisClient\(api\).*redis:\/\//,
    );
    expect(() => createRedisClient({ url: 'not a url', name: 'api' })).toThrow(RangeError);
    expect(() => createRedisClient({ url: 'redis://127.0.0.1:6379', name: 'two words' })).toThrow(/name must be/);
  });
});
