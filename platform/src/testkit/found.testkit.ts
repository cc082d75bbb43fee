import { vi } from 'vitest';

/** Waits (vitest's `vi.waitFor`) until `probe` finds something, and returns it. */
export const eventuallyFound = <T>(probe: () => T | undefined, timeoutMs = 10_000, intervalMs = 25): Promise<T> =>
  vi.waitFor(
    () => {
      const value = probe();
      if (value === undefined) throw new Error('condition not met in time');
      return value;
    },
    { timeout: timeoutMs, interval: intervalMs },
  );
