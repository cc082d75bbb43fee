/** IPC between B6 and its Socket.IO nodes (`fanoutNode.ts`, started with `fork`). */
export type FanoutCommand =
  /** Emit `count` ticks of `sample` to `room` at a fixed rate; answered with the latest emit's lateness in µs. */
  | {
      readonly type: 'emit';
      readonly id: number;
      readonly room: string;
      readonly sample: number;
      readonly count: number;
      readonly ratePerSecond: number;
    }
  /** How many sockets are in `room` across the cluster (`fetchSockets`). */
  | { readonly type: 'count'; readonly id: number; readonly room: string }
  /** How many nodes the adapter sees. */
  | { readonly type: 'servers'; readonly id: number };

export type FanoutReply =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'done'; readonly id: number; readonly value: number };

/** What every client receives: the emit's scheduled time rides along, so latency needs no clock sync. */
export interface Tick {
  readonly sample: number;
  readonly seq: number;
  /** `monotonicMicros()` just before `io.to(room).emit`. */
  readonly at: number;
  readonly events: readonly unknown[];
}

/**
 * Microseconds on CLOCK_MONOTONIC (`process.hrtime`), which on Linux is one clock for every process
 * of the machine: the node's emit time and the client's receipt time are comparable.
 */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);
