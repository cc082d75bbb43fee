/** Types for kafka.mjs (a plain script so that .ci/run can call it before anything is built). */
export interface KafkaBroker {
  readonly brokers: string[];
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** Stops the broker and deletes its data directory. */
  destroy(): Promise<void>;
}

export interface StartKafkaOptions {
  readonly port?: number;
  readonly controllerPort?: number;
  readonly dataDir?: string;
  readonly heap?: string;
  readonly partitions?: number;
  readonly detached?: boolean;
  readonly timeoutMs?: number;
}

export const kafkaLibDir: string;
export function fetchKafka(): Promise<string>;
export function freePort(): Promise<number>;
export function startKafka(options?: StartKafkaOptions): Promise<KafkaBroker>;
