/**
 * Counts one socket's messages of one kind in one-second windows: `note()` counts a message and
 * returns how many the current window has seen, this one included. The caller compares it with its
 * limit (and can tell the first message over it, to log once per window).
 */
export function perSecondCounter(now: () => number = Date.now): { note(): number } {
  let window = { startedAt: 0, count: 0 };
  return {
    note() {
      const at = now();
      if (at - window.startedAt >= 1000) window = { startedAt: at, count: 0 };
      window.count += 1;
      return window.count;
    },
  };
}
