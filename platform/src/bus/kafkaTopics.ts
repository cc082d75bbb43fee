import kafkajs from 'kafkajs';
import type { Logger } from '../observability/logger.js';
import { kafkaLogCreator } from './kafkaLogging.js';

const { Kafka } = kafkajs;

export interface TopicSpec {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Fixed: board ids hash onto partitions, so changing the count would move boards mid-stream. */
  readonly partitions: number;
  readonly logger: Logger;
}

/**
 * Creates the board-events topic if it is missing: a fixed partition count, deletion never by
 * compaction or age (the relay can always be rewound, and a compacted topic would drop events).
 * An existing topic with another partition count is refused rather than used.
 */
export async function ensureBoardEventsTopic(spec: TopicSpec): Promise<void> {
  const kafka = new Kafka({ clientId: 'topic-setup', brokers: [...spec.brokers], logCreator: kafkaLogCreator(spec.logger) });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'retention.ms', value: '-1' },
            { name: 'retention.bytes', value: '-1' },
          ],
        },
      ],
    });
    if (created) {
      spec.logger.info({ topic: spec.topic, partitions: spec.partitions }, 'created the board events topic');
      return;
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [spec.topic] });
    const found = metadata.topics[0]?.partitions.length ?? 0;
    if (found !== spec.partitions) {
      throw new Error(`Kafka topic ${spec.topic} has ${found} partitions; this deployment is configured for ${spec.partitions}. Board order depends on a fixed count: fix KAFKA_PARTITIONS or the topic.`);
    }
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics (tests clean up what they created). */
export async function deleteTopics(brokers: readonly string[], topics: readonly string[], logger: Logger): Promise<void> {
  const kafka = new Kafka({ clientId: 'topic-cleanup', brokers: [...brokers], logCreator: kafkaLogCreator(logger) });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics], timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
