import { vi } from 'vitest';

/**
 * Waits (vitest's `vi.waitFor`, every 100 ms) until `probe` returns something other than
 * `undefined` or `false`, and returns that. A probe that throws counts as "not yet"; its last error
 * is in the timeout's message.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  try {
    return await vi.waitFor(
      async () => {
        const value = await probe();
        if (value === undefined || value === false) throw new Error('not yet');
        return value;
      },
      { timeout: timeoutMs, interval: 100 },
    );
  } catch (error) {
    throw new Error(`${what}: not within ${timeoutMs} ms (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
}
