import CircuitBreaker from 'opossum';
import type { Metrics } from '../observability/metrics.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** A call slower than this fails (and counts as a failure); false disables. Default 3000. */
  readonly timeoutMs?: number | false;
  /** Failure percentage in the rolling window that opens the breaker. Default 50. */
  readonly errorThresholdPercentage?: number;
  /** How long the breaker stays open before letting one trial call through. Default 5000. */
  readonly resetTimeoutMs?: number;
  /** Calls needed in the window before the breaker may open. Default 5. */
  readonly volumeThreshold?: number;
  /** Rolling statistics window. Default 10000. */
  readonly rollingCountTimeoutMs?: number;
  /** Return true for errors that are the caller's fault (validation, not found): they never open the breaker. */
  readonly isExpectedError?: (error: unknown) => boolean;
  readonly metrics?: Pick<Metrics, 'breakerState'>;
}

export interface Breaker<A extends unknown[], R> {
  readonly name: string;
  fire(...args: A): Promise<R>;
  state(): BreakerState;
  /** Stops the breaker's timers (graceful shutdown, tests). */
  shutdown(): void;
}

const gaugeValue: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

/** opossum with sane defaults; `/readyz` reports `state()`, and `isBreakerOpenError` maps to 503. */
export function createBreaker<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => Promise<R>,
  options: BreakerOptions = {},
): Breaker<A, R> {
  const breaker = new CircuitBreaker<A, R>(fn, {
    name,
    timeout: options.timeoutMs ?? 3_000,
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    resetTimeout: options.resetTimeoutMs ?? 5_000,
    volumeThreshold: options.volumeThreshold ?? 5,
    rollingCountTimeout: options.rollingCountTimeoutMs ?? 10_000,
    ...(options.isExpectedError ? { errorFilter: options.isExpectedError } : {}),
  });
  const state = (): BreakerState => (breaker.opened ? 'open' : breaker.halfOpen ? 'half_open' : 'closed');
  const report = () => options.metrics?.breakerState.set({ name }, gaugeValue[state()]);
  breaker.on('open', report);
  breaker.on('halfOpen', report);
  breaker.on('close', report);
  report();
  return {
    name,
    fire: (...args: A) => breaker.fire(...args),
    state,
    shutdown: () => breaker.shutdown(),
  };
}

/** True for the rejection of a call made while the breaker is open (fail fast, 503). */
export function isBreakerOpenError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EOPENBREAKER';
}

/** True for a call that opossum abandoned after `timeoutMs`. */
export function isBreakerTimeoutError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ETIMEDOUT';
}
