/** Types for opensearch.mjs (a plain script so that .ci/run can call it before anything is built). */
export interface OpenSearchNode {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly transportPort: number;
  readonly dataDir: string;
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** Stops the node and deletes its data directory. */
  destroy(): Promise<void>;
}

export interface StartOpenSearchOptions {
  readonly port?: number;
  readonly transportPort?: number;
  readonly dataDir?: string;
  readonly heap?: string;
  readonly detached?: boolean;
  readonly timeoutMs?: number;
}

export const openSearchVersion: string;
export const openSearchHome: string;
export function fetchOpenSearch(): Promise<string>;
export function freePort(): Promise<number>;
export function startOpenSearch(options?: StartOpenSearchOptions): Promise<OpenSearchNode>;
