/** Types for opensearch.mjs (a plain script so that .ci/run can call it before anything is built). */
import { freePort, type LocalService } from '../lib/localService.mjs';

export interface OpenSearchNode extends LocalService {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly transportPort: number;
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
export { freePort };
export function startOpenSearch(options?: StartOpenSearchOptions): Promise<OpenSearchNode>;
