/**
 * The stage topics: named from the pipeline, created at start when absent with the configured
 * partitions and replication, and otherwise taken as they are (an operator may have added
 * partitions; records of one key still meet on one partition within a topic's lifetime).
 */
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';

/** What a stage topic is created with. */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly maxMessageBytes: number;
}

/**
 * The topic of a stage log: `<prefix>.<pipeline>.<stage>`. Pipeline ids may hold `/`
 * (`traces/edge`); Kafka topic names may not, so it becomes `-`.
 */
export function stageTopic(prefix: string, logName: string): string {
  return `${prefix}.${logName}`.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** Creates the topic when absent and resolves with its partition count. */
export async function ensureTopic(admin: Admin, spec: TopicSpec, logger: Logger): Promise<number> {
  // Asked first: creating a topic that exists works, but kafkajs logs the broker's refusal as an error.
  const exists = (await admin.listTopics()).includes(spec.topic);
  const created = !exists && await admin.createTopics({
    waitForLeaders: true,
    topics: [{
      topic: spec.topic,
      numPartitions: spec.partitions,
      replicationFactor: spec.replicationFactor,
      // The broker must take the largest record the producer may send.
      configEntries: [{ name: 'max.message.bytes', value: String(spec.maxMessageBytes + 1024) }],
    }],
  });
  const meta = await admin.fetchTopicMetadata({ topics: [spec.topic] });
  const partitions = meta.topics[0]!.partitions.length;
  if (created) logger.info({ topic: spec.topic, partitions, replication_factor: spec.replicationFactor }, 'created stage topic');
  else if (partitions !== spec.partitions) {
    logger.warn({ topic: spec.topic, partitions, configured: spec.partitions }, 'stage topic exists with another partition count; using it as it is');
  }
  return partitions;
}
