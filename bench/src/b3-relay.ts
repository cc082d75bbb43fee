import {
  createKafkaEventBus,
  createLogger,
  createPostgresSql,
  createSqlEventStore,
  createTestDatabase,
  type KafkaEventBus,
} from '@primetrade/platform';
import { runMigrations } from '@primetrade/read-model';
import { benchRelayCatchUp, type RelayCatchUp } from './b3-relay-catch-up.js';
import { benchRelayLatency, type RelayLatency } from './b3-relay-latency.js';
import { connectRawProducer, startBenchKafka } from './lib/kafka.js';
import { createWriter } from './lib/relayHarness.js';
import { log } from './lib/results.js';

export interface RelayBench {
  readonly latency: RelayLatency;
  readonly catchUp: RelayCatchUp;
}

/**
 * B3: the relay (store → Kafka, as a cluster relay node runs it: lease, an idempotent producer
 * without Kafka transactions, ADR 0035; `B3_RELAY_TRANSACTIONS=1` publishes in transactions under a
 * transactional id per topic, as `RELAY_KAFKA_TRANSACTIONS=true` does) vs this process producing the
 * same committed events itself with a plain producer.
 * A Kafka broker of its own, a database of its own; both removed after.
 */
export async function benchRelay(pairs: number): Promise<RelayBench> {
  log('  B3: starting a Kafka broker of its own');
  const broker = await startBenchKafka();
  const database = await createTestDatabase('bench_b3', { max: 4 });
  const storeSql = createPostgresSql({ connectionString: database.url, max: 10, applicationName: 'bench-b3-store' });
  const closers: (() => Promise<void>)[] = [];
  try {
    await runMigrations(database.sql);
    const store = await createSqlEventStore(storeSql);
    closers.push(() => store.close());
    const logger = createLogger({ level: 'silent' });
    const producer = await connectRawProducer(broker.brokers);
    closers.push(() => producer.disconnect());
    const relayBus = (topic: string): KafkaEventBus => {
      const bus = createKafkaEventBus({
        brokers: broker.brokers,
        topic,
        clientId: 'bench-relay',
        logger,
        ...(process.env.B3_RELAY_TRANSACTIONS === '1' ? { transactionalId: `relay:${topic}` } : {}),
      });
      closers.push(() => bus.close());
      return bus;
    };
    const context = {
      store,
      sql: database.sql,
      writer: createWriter(store),
      brokers: broker.brokers,
      logger,
      producer,
      relayBus,
    };
    const latency = await benchRelayLatency(context, pairs);
    const catchUp = await benchRelayCatchUp(context, pairs);
    return { latency, catchUp };
  } finally {
    for (const close of closers.reverse())
      await close().catch((error: unknown) => log(`  B3 cleanup: ${String(error)}`));
    await storeSql.close();
    await database.drop();
    await broker.destroy();
  }
}
