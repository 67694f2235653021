/**
 * The stage topics: named from the pipeline, created at start when absent with the configured
 * partitions and replication, and otherwise taken as they are (an operator may have added
 * partitions; records of one key still meet on one partition within a topic's lifetime).
 */
import type { Admin, ITopicConfig } from 'kafkajs';
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
  const created = !exists && await createTopicsWithLeaders(admin, [{
    topic: spec.topic,
    numPartitions: spec.partitions,
    replicationFactor: spec.replicationFactor,
    // The broker must take the largest record the producer may send.
    configEntries: [{ name: 'max.message.bytes', value: String(spec.maxMessageBytes + 1024) }],
  }]);
  const meta = await admin.fetchTopicMetadata({ topics: [spec.topic] });
  const partitions = meta.topics[0]!.partitions.length;
  if (created) logger.info({ topic: spec.topic, partitions, replication_factor: spec.replicationFactor }, 'created stage topic');
  else if (partitions !== spec.partitions) {
    logger.warn({ topic: spec.topic, partitions, configured: spec.partitions }, 'stage topic exists with another partition count; using it as it is');
  }
  return partitions;
}

/**
 * Creates `topics` (false when they all existed) and resolves once every partition has a leader.
 * kafkajs' own `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a KRaft broker answers a
 * metadata request for a topic it created a moment ago with UNKNOWN_TOPIC_OR_PARTITION until its
 * metadata image catches up, and kafkajs gives up on the first one (seen on a slow machine).
 */
export async function createTopicsWithLeaders(admin: Admin, topics: ITopicConfig[], timeoutMs = 30_000): Promise<boolean> {
  const created = await admin.createTopics({ topics, waitForLeaders: false });
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await admin.fetchTopicMetadata({ topics: names }).then(
      (meta) => meta.topics.length === names.length && meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)),
      (error: unknown) => { if (isNotYetKnown(error)) return false; throw error; },
    );
    if (ready) return created;
    if (Date.now() > deadline) throw new Error(`topics ${names.join(', ')} have no leader after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isNotYetKnown(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE';
}
