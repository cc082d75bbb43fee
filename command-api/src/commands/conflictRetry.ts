/**
 * How the command handler waits between re-decisions after an implicit revision conflict
 * (docs/adr/0016): "decorrelated jitter" — each pause is random between the base and three times
 * the previous one, capped — so writers that collided spread out instead of colliding again in
 * lock step, and a deadline, not a count, decides when to give up.
 */
export interface ConflictRetryPolicy {
  /** Give up (503 with Retry-After) once this long has passed since the command arrived. */
  readonly deadlineMs: number;
  /** Shortest pause. */
  readonly baseMs: number;
  /** Longest pause. */
  readonly capMs: number;
}

export const defaultConflictRetryPolicy: ConflictRetryPolicy = { deadlineMs: 10_000, baseMs: 2, capMs: 64 };

/** The clock and the pause, injectable so unit tests run many conflicts without waiting. */
export interface RetryTiming {
  /** Monotonic milliseconds. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

export const realTiming: RetryTiming = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** The next pause: uniform in [base, min(cap, 3 × previous)]; never below base, never above cap. */
export function nextPause(policy: ConflictRetryPolicy, previousMs: number, random: () => number): number {
  const upper = Math.min(policy.capMs, Math.max(policy.baseMs, previousMs * 3));
  return policy.baseMs + random() * (upper - policy.baseMs);
}

export interface ConflictBackoff {
  /**
   * Called after a conflict. Resolves after the pause and returns true while time is left;
   * returns false (without pausing) once the deadline has passed.
   */
  pause(): Promise<boolean>;
  /** Conflicts met so far. */
  readonly conflicts: number;
}

/**
 * One command's backoff. The first conflict is re-decided at once: its usual cause is a cached fold
 * that another node's write made stale, and the retry reads the stream fresh. Pauses start from the
 * second conflict, which means real contention on the board.
 */
export function createConflictBackoff(policy: ConflictRetryPolicy, timing: RetryTiming): ConflictBackoff {
  const deadline = timing.now() + policy.deadlineMs;
  let previous = policy.baseMs;
  let conflicts = 0;
  return {
    get conflicts() {
      return conflicts;
    },
    async pause() {
      conflicts++;
      const left = deadline - timing.now();
      if (left <= 0) return false;
      if (conflicts === 1) return true;
      previous = nextPause(policy, previous, timing.random);
      await timing.sleep(Math.min(previous, left));
      return true;
    },
  };
}
