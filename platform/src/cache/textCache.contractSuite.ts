import { describe, expect, it } from 'vitest';
import type { TextCache } from './cache.js';

export interface TextCacheUnderTest {
  readonly cache: TextCache;
  /** Lets `ms` pass for the cache (a fake clock, or real time for Redis). */
  readonly passTime: (ms: number) => Promise<void>;
  readonly cleanup: () => Promise<void>;
}

export type MakeTextCache = () => Promise<TextCacheUnderTest>;

/**
 * What every text cache adapter promises (cache.ts), run on each one: in memory (embedded mode)
 * and Redis (cluster mode).
 */
export function textCacheContract(adapter: string, make: MakeTextCache): void {
  describe(`text cache contract: ${adapter}`, () => {
    async function withCache(test: (subject: TextCacheUnderTest) => Promise<void>): Promise<void> {
      const subject = await make();
      try {
        await test(subject);
      } finally {
        await subject.cleanup();
      }
    }

    it('misses a key never written', () =>
      withCache(async ({ cache }) => {
        expect(await cache.get('never-written')).toBeNull();
      }));

    it('returns exactly the text written, unicode included, and the latest write of a key', () =>
      withCache(async ({ cache }) => {
        const text = JSON.stringify({ title: 'Überprüfung ✓ 漢字 👩🏽‍💻', quote: '"\\n' });
        await cache.set('board:1', text, 60_000);
        expect(await cache.get('board:1')).toBe(text);
        await cache.set('board:1', 'newer', 60_000);
        expect(await cache.get('board:1')).toBe('newer');
      }));

    it('keeps keys apart', () =>
      withCache(async ({ cache }) => {
        await cache.set('a', '1', 60_000);
        await cache.set('b', '2', 60_000);
        expect([await cache.get('a'), await cache.get('b'), await cache.get('c')]).toEqual(['1', '2', null]);
      }));

    it('forgets an entry once its time to live has passed, and keeps it before', () =>
      withCache(async ({ cache, passTime }) => {
        await cache.set('short', 'v', 300);
        await cache.set('long', 'w', 60_000);
        expect(await cache.get('short')).toBe('v');
        await passTime(400);
        expect(await cache.get('short')).toBeNull();
        expect(await cache.get('long')).toBe('w');
      }));
  });
}
