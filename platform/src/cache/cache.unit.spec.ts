import { describe, expect, it } from 'vitest';
import { createMemoryCache } from './cache.js';

describe('The in-memory cache', () => {
  it('serves an entry until its time to live has passed', async () => {
    let now = 1_000;
    const cache = createMemoryCache({ now: () => now });
    await cache.set('k', 'v', 500);
    now = 1_499;
    expect(await cache.get('k')).toBe('v');
    now = 1_500;
    expect(await cache.get('k')).toBeNull();
  });

  it('keeps at most maxEntries, dropping the oldest write first', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set('a', '1', 60_000);
    await cache.set('b', '2', 60_000);
    await cache.set('a', '3', 60_000);
    await cache.set('c', '4', 60_000);
    expect([await cache.get('a'), await cache.get('b'), await cache.get('c')]).toEqual(['3', null, '4']);
  });
});
