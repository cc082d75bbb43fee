import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

/** What held a process's event loop back over a window: its delay percentiles and its GC pauses (ms). */
export interface LoopDiagnostics {
  readonly loopDelay: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly gc: {
    readonly pauses: number;
    readonly totalMs: number;
    readonly maxMs: number;
    /** Pauses of 5 ms and more: the ones an open loop's p99 can see. */
    readonly over5ms: number;
    /** Pause time by kind (`minor`, `major`, `incremental`, `weakcb`). */
    readonly byKindMs: Readonly<Record<string, number>>;
  };
  /**
   * Durations measured inside the process (ms), when asked for: in the command node `requests`
   * (arrival → answer handed to the kernel) and `appends` (the store's append, its wait for a
   * group-commit batch included).
   */
  readonly timings: Readonly<Record<string, Percentiles>>;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Percentiles of the durations recorded since the last call, which empties `durations`. */
export function drainPercentiles(durations: number[]): Percentiles {
  const sorted = durations.splice(0).sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 100) / 100;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}

const gcKinds: Readonly<Record<number, string>> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

/**
 * Event-loop delay (`monitorEventLoopDelay`, 1 ms resolution) and GC pauses of this process, read
 * and reset by `take()`. Cheap enough to leave on under load: a 1 ms timer and one observer callback
 * per GC.
 */
export function watchLoop(): {
  take(timings?: LoopDiagnostics['timings']): LoopDiagnostics;
  stop(): void;
} {
  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let pauses: number[] = [];
  let byKind: Record<string, number> = {};
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      pauses.push(entry.duration);
      const kind = gcKinds[(entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
      byKind[kind] = (byKind[kind] ?? 0) + entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    take(timings = {}) {
      const taken: LoopDiagnostics = {
        loopDelay: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
        gc: {
          pauses: pauses.length,
          totalMs: round(pauses.reduce((a, b) => a + b, 0)),
          maxMs: round(Math.max(0, ...pauses)),
          over5ms: pauses.filter((pause) => pause >= 5).length,
          byKindMs: Object.fromEntries(Object.entries(byKind).map(([kind, total]) => [kind, round(total)])),
        },
        timings,
      };
      delay.reset();
      pauses = [];
      byKind = {};
      return taken;
    },
    stop() {
      delay.disable();
      observer.disconnect();
    },
  };
}

export const formatDiagnostics = (d: LoopDiagnostics): string =>
  `event-loop delay p50 ${d.loopDelay.p50} ms, p99 ${d.loopDelay.p99} ms, max ${d.loopDelay.max} ms; ` +
  `GC ${d.gc.pauses} pauses, ${d.gc.totalMs} ms in all, max ${d.gc.maxMs} ms, ${d.gc.over5ms} ≥ 5 ms ` +
  `(${Object.entries(d.gc.byKindMs)
    .map(([kind, total]) => `${kind} ${total} ms`)
    .join(', ')})` +
  Object.entries(d.timings)
    .map(([name, t]) => `; ${name} p50 ${t.p50} ms, p99 ${t.p99} ms, max ${t.max} ms (${t.count})`)
    .join('');
