import { vi } from 'vitest';

/** Waits (vitest's `vi.waitFor`) until `check` returns true; fails with `message` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  message: string,
  timeoutMs = 10_000,
): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`Timed out waiting: ${message}`);
    },
    { timeout: timeoutMs, interval: 10 },
  );
}
