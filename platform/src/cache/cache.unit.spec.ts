import { describe, expect, it } from 'vitest';
import { createMemoryCache } from './cache.js';

// What every cache promises is in textCache.contractSuite.ts; this is the in-memory cache's own bound.
describe('The in-memory cache', () => {
  it('keeps at most maxEntries, dropping the oldest write first', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set('a', '1', 60_000);
    await cache.set('b', '2', 60_000);
    await cache.set('a', '3', 60_000);
    await cache.set('c', '4', 60_000);
    expect([await cache.get('a'), await cache.get('b'), await cache.get('c')]).toEqual(['3', null, '4']);
  });
});
