import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../observability/metrics.js';
import { createBreaker, isBreakerOpenError, isBreakerTimeoutError } from './breaker.js';

async function gaugeValue(metrics: ReturnType<typeof createMetrics>, name: string): Promise<number | undefined> {
  const metric = await metrics.breakerState.get();
  return metric.values.find((value) => value.labels.name === name)?.value;
}

describe('Circuit breaker', () => {
  describe('while the dependency answers', () => {
    it('passes calls through and stays closed', async () => {
      const breaker = createBreaker('echo', async (value: number) => value * 2);
      expect(await breaker.fire(21)).toBe(42);
      expect(breaker.state()).toBe('closed');
      breaker.shutdown();
    });
  });

  describe('when the dependency keeps failing', () => {
    it('opens, fails fast with a recognisable error, reports it, and closes after a good trial call', async () => {
      const metrics = createMetrics();
      let healthy = false;
      let calls = 0;
      const breaker = createBreaker(
        'redis',
        async () => {
          calls += 1;
          if (!healthy) throw new Error('connection refused');
          return 'ok';
        },
        { volumeThreshold: 2, resetTimeoutMs: 50, metrics },
      );
      for (let n = 0; n < 3; n += 1) await breaker.fire().catch(() => undefined);
      expect(breaker.state()).toBe('open');
      expect(await gaugeValue(metrics, 'redis')).toBe(2);

      const callsWhenOpen = calls;
      const error = await breaker.fire().catch((e: unknown) => e);
      expect(isBreakerOpenError(error)).toBe(true);
      expect(calls).toBe(callsWhenOpen);

      healthy = true;
      await sleep(80);
      expect(breaker.state()).toBe('half_open');
      expect(await breaker.fire()).toBe('ok');
      expect(breaker.state()).toBe('closed');
      expect(await gaugeValue(metrics, 'redis')).toBe(0);
      breaker.shutdown();
    });
  });

  describe('when a call is too slow', () => {
    it('rejects it with a timeout error that is not an open-breaker error', async () => {
      const breaker = createBreaker('slow', () => sleep(200), { timeoutMs: 20 });
      const error = await breaker.fire().catch((e: unknown) => e);
      expect(isBreakerTimeoutError(error)).toBe(true);
      expect(isBreakerOpenError(error)).toBe(false);
      breaker.shutdown();
    });
  });

  describe('when errors are the caller’s fault', () => {
    it('never opens for them', async () => {
      const breaker = createBreaker(
        'queries',
        async () => {
          throw new RangeError('not found');
        },
        { volumeThreshold: 1, isExpectedError: (e) => e instanceof RangeError },
      );
      for (let n = 0; n < 5; n += 1) await expect(breaker.fire()).rejects.toBeInstanceOf(RangeError);
      expect(breaker.state()).toBe('closed');
      breaker.shutdown();
    });
  });
});
