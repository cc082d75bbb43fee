/** IPC between B12/B13 and their child processes (`idleSocketNode.ts`, `socketClients.ts`, started with `fork`). */

/** What a client process is told to open: Socket.IO sockets (realtime or fan-out node) or plain websockets. */
export type ClientKind = 'realtime' | 'fanout' | 'ws';

export type ClientCommand =
  /**
   * Open `count` sockets to `url`. `realtime`: `auth.token` from `tokens` (cycled) and a
   * `board:join` of `boardIds` (cycled), as the web client does; `fanout`: join `room` by query.
   */
  | {
      readonly type: 'connect';
      readonly kind: ClientKind;
      readonly url: string;
      readonly count: number;
      readonly tokens?: readonly string[];
      readonly boardIds?: readonly string[];
      readonly room?: string;
    }
  /** From now on record each `tick` of `sample` (B13); answered with the latencies so far of the previous one. */
  | { readonly type: 'record'; readonly sample: number }
  /** The latencies recorded for the current sample, µs, and stop recording. */
  | { readonly type: 'collect' };

export type ClientReply =
  | { readonly type: 'connected'; readonly count: number; readonly failed: number; readonly firstError?: string }
  | { readonly type: 'recording' }
  | { readonly type: 'collected'; readonly micros: number[] };

export type NodeCommand =
  /** Collect garbage (twice), then answer with how many sockets are open. */
  { readonly type: 'settle'; readonly id: number };

export type NodeReply =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'settled'; readonly id: number; readonly sockets: number };
