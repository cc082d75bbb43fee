import { inject } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { uniqueTopic } from '../testkit/kafka.testkit.js';
import { eventBusContract } from './eventBus.contractSuite.js';
import { createKafkaEventBus } from './kafkaEventBus.js';
import { deleteTopics, ensureBoardEventsTopic } from './kafkaTopics.js';

const logger = createLogger({ level: 'silent', name: 'bus-contract' });
const brokers = inject('kafkaBrokers').split(',');

eventBusContract('Kafka', async () => {
  const topic = uniqueTopic('bus-contract');
  await ensureBoardEventsTopic({ brokers, topic, partitions: 3, logger });
  // Transactional, as the relay publishes.
  const bus = createKafkaEventBus({
    brokers,
    topic,
    clientId: 'bus-contract',
    logger,
    transactionalId: `contract-${topic}`,
  });
  return {
    bus,
    async cleanup() {
      await bus.close();
      await deleteTopics(brokers, [topic], logger);
    },
  };
});
