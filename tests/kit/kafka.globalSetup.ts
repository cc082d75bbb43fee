import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startKafka, type KafkaBroker } from '../../infra/kafka/kafka.mjs';
import type {} from '@primetrade/platform';

/**
 * The `int` and `e2e` projects each load this module, possibly as separate module instances: the
 * broker lives on `globalThis` with a count of its users, so one run starts one broker.
 */
interface SharedBroker {
  readonly broker: Promise<KafkaBroker>;
  users: number;
}
const shared = globalThis as { __primetradeTestKafka?: SharedBroker };

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
  const entry = (shared.__primetradeTestKafka ??= {
    broker: (async () => {
      const started = await startKafka({
        dataDir: path.join(await mkdtemp(path.join(tmpdir(), 'pt-kafka-')), 'broker'),
        heap: '384m',
      });
      process.stderr.write(`[kafka] test broker on ${started.brokers.join(',')} (pid ${started.pid})\n`);
      return started;
    })(),
    users: 0,
  });
  entry.users += 1;
  project.provide('kafkaBrokers', (await entry.broker).brokers.join(','));
}

export async function teardown(): Promise<void> {
  const entry = shared.__primetradeTestKafka;
  if (!entry) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  shared.__primetradeTestKafka = undefined;
  const broker = await entry.broker;
  await broker.destroy();
  // The run's own temporary directory, which held the broker's data.
  await rm(path.dirname(broker.dataDir), { recursive: true, force: true });
}
