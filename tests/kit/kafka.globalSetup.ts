import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startKafka, type KafkaBroker } from '../../infra/kafka/kafka.mjs';
import type {} from '@primetrade/platform';

let broker: KafkaBroker | undefined;

/**
 * One Kafka broker for the whole run, on ports and a data directory of its own (infra/kafka):
 * tests create their own topics on it. `KAFKA_TEST_BROKERS` uses a running broker instead.
 */
export async function setup(project: TestProject): Promise<void> {
  const external = process.env.KAFKA_TEST_BROKERS;
  if (external) {
    project.provide('kafkaBrokers', external);
    return;
  }
  broker ??= await startKafka({ dataDir: path.join(await mkdtemp(path.join(tmpdir(), 'pt-kafka-')), 'broker'), heap: '384m' });
  process.stderr.write(`[kafka] test broker on ${broker.brokers.join(',')} (pid ${broker.pid})\n`);
  project.provide('kafkaBrokers', broker.brokers.join(','));
}

export async function teardown(): Promise<void> {
  await broker?.destroy();
  broker = undefined;
}
