/** Types for localService.mjs (what infra/kafka/kafka.mjs and infra/opensearch/opensearch.mjs share). */
import type { ChildProcess } from 'node:child_process';

/** The part of a started server's handle every server has. */
export interface LocalService {
  readonly dataDir: string;
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** Stops the server and deletes its data directory. */
  destroy(): Promise<void>;
}

/** What a script's CLI needs to know of its server. */
export interface LocalServiceCli {
  /** The script's file name, for the usage line. */
  readonly script: string;
  /** `broker`, `node`: how the log names one. */
  readonly noun: string;
  readonly log: (message: string) => void;
  readonly repoRoot: string;
  readonly defaultPort: number;
  /** The default data directory is `<repoRoot>/.data/<dataDirName>-<port>`. */
  readonly dataDirName: string;
  /** The pid file's name in the data directory. */
  readonly pidFileName: string;
  readonly fetch: () => Promise<unknown>;
  readonly isOurs: (pid: number, dataDir: string) => boolean;
  readonly answers: (port: number, timeoutMs: number) => Promise<void>;
  readonly launch: (port: number, dataDir: string) => Promise<{ readonly pid: number; readonly address: string }>;
}

export function logger(prefix: string): (message: string) => void;
export function maven(args: readonly string[]): Promise<void>;
export function freePort(): Promise<number>;
export function waitUntilReady(
  probe: () => Promise<unknown>,
  timeoutMs: number,
  failure: (lastMessage: string) => string,
): Promise<void>;
export function superviseStart(
  child: ChildProcess,
  options: {
    readonly name: string;
    readonly ready: () => Promise<unknown>;
    readonly logFile: string;
    readonly dataDir: string;
    readonly detached?: boolean;
  },
): Promise<LocalService>;
export function commandLineHas(pid: number, needles: readonly string[]): boolean;
export function argument(name: string, fallback: string): string;
export function runCliIfMain(moduleUrl: string, service: LocalServiceCli): void;
