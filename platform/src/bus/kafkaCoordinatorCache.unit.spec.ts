import { describe, expect, it } from 'vitest';
import { createCoordinatorCache } from './kafkaCoordinatorCache.js';

describe('transaction coordinator cache', () => {
  function setup() {
    let clock = 0;
    let lookups = 0;
    const cache = createCoordinatorCache<string>({ ttlMs: 1_000, now: () => clock });
    const fetch = async () => `node-${(lookups += 1)}`;
    return { cache, fetch, lookups: () => lookups, advance: (ms: number) => (clock += ms) };
  }

  it('asks once per client and transactional id while nothing fails', async () => {
    const { cache, fetch, lookups } = setup();
    const client = {};
    for (let n = 0; n < 5; n += 1) expect(await cache.lookup(client, 'relay', fetch)).toBe('node-1');
    expect(lookups()).toBe(1);
    // Another client (a fresh producer) and another id ask for themselves.
    await cache.lookup({}, 'relay', fetch);
    await cache.lookup(client, 'other', fetch);
    expect(lookups()).toBe(3);
  });

  it('asks again after a failed coordinator request of that id, for every client', async () => {
    const { cache, fetch, lookups } = setup();
    const [first, second] = [{}, {}];
    await cache.lookup(first, 'relay', fetch);
    await cache.lookup(second, 'relay', fetch);
    await cache.lookup(first, 'other', fetch);
    cache.invalidate('relay');
    expect(await cache.lookup(first, 'relay', fetch)).toBe('node-4');
    expect(await cache.lookup(second, 'relay', fetch)).toBe('node-5');
    expect(await cache.lookup(first, 'other', fetch)).toBe('node-3');
    expect(lookups()).toBe(5);
  });

  it('does not keep an answer that was asked for before a failure', async () => {
    const { cache, lookups } = setup();
    const client = {};
    let answer: (value: string) => void = () => undefined;
    const pending = cache.lookup(client, 'relay', () => new Promise<string>((resolve) => (answer = resolve)));
    cache.invalidate('relay');
    answer('old');
    expect(await pending).toBe('old');
    expect(await cache.lookup(client, 'relay', async () => 'new')).toBe('new');
    expect(lookups()).toBe(0);
  });

  it('asks again once the answer is older than the TTL or the client refreshed its metadata', async () => {
    const { cache, fetch, lookups, advance } = setup();
    const client = {};
    await cache.lookup(client, 'relay', fetch);
    advance(999);
    await cache.lookup(client, 'relay', fetch);
    expect(lookups()).toBe(1);
    advance(1);
    await cache.lookup(client, 'relay', fetch);
    expect(lookups()).toBe(2);
    cache.forgetClient(client);
    await cache.lookup(client, 'relay', fetch);
    expect(lookups()).toBe(3);
  });
});
