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
  const kafka = new Kafka({
    clientId: 'topic-setup',
    brokers: [...spec.brokers],
    logCreator: kafkaLogCreator(spec.logger),
  });
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
      throw new Error(
        `Kafka topic ${spec.topic} has ${found} partitions; this deployment is configured for ${spec.partitions}. Board order depends on a fixed count: fix KAFKA_PARTITIONS or the topic.`,
      );
    }
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics (tests clean up what they created). */
export async function deleteTopics(
  brokers: readonly string[],
  topics: readonly string[],
  logger: Logger,
): Promise<void> {
  const kafka = new Kafka({ clientId: 'topic-cleanup', brokers: [...brokers], logCreator: kafkaLogCreator(logger) });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics], timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

export interface TopicOffsets {
  /** Per partition: the oldest kept offset and the high watermark (next offset to be written). */
  readonly partitions: readonly { readonly partition: number; readonly low: string; readonly high: string }[];
  /** Per group, per partition: the committed offset, or null when the group never committed there. */
  readonly committed: ReadonlyMap<string, ReadonlyMap<number, string | null>>;
}

/** Where a topic ends and where each consumer group stands in it (operations status). */
export async function readTopicOffsets(
  brokers: readonly string[],
  topic: string,
  groups: readonly string[],
  logger: Logger,
): Promise<TopicOffsets> {
  const kafka = new Kafka({
    clientId: 'primetrade-ops',
    brokers: [...brokers],
    logCreator: kafkaLogCreator(logger),
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = new Map<string, Map<number, string | null>>();
    for (const group of groups) {
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      committed.set(
        group,
        new Map((offsets?.partitions ?? []).map((p) => [p.partition, p.offset === '-1' ? null : p.offset])),
      );
    }
    return {
      partitions: ends
        .map((end) => ({ partition: end.partition, low: end.low, high: end.high }))
        .sort((a, b) => a.partition - b.partition),
      committed,
    };
  } finally {
    await admin.disconnect();
  }
}
