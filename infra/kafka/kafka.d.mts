/** Types for kafka.mjs (a plain script so that .ci/run can call it before anything is built). */
import { freePort, type LocalService } from '../lib/localService.mjs';

export interface KafkaBroker extends LocalService {
  readonly brokers: string[];
  readonly port: number;
  readonly controllerPort: number;
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
export { freePort };
export function startKafka(options?: StartKafkaOptions): Promise<KafkaBroker>;
