/**
 * Kafka helpers for integration tests against the shared broker: unique topic and group names,
 * topics created and deleted through the admin API, plain producing, and a group's committed offsets.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import type { Test } from 'tap';
import { createTopicsWithLeaders } from '../pipeline/kafka/topics.js';
import { KAFKA_BROKER } from './services.js';

/** A name no other test (or engineer) on the shared broker uses: `prefix-<random>`. */
export const unique = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

/** A quiet kafkajs client for test plumbing. */
export function testKafka(): Kafka {
  return new Kafka({ brokers: [KAFKA_BROKER], clientId: 'vigil-test', logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 100 } });
}

/** Creates `topic` with `partitions` and deletes it when the test ends. */
export async function createTopic(t: Test, topic: string, partitions = 1): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: partitions, replicationFactor: 1 }]);
  } finally {
    await admin.disconnect();
  }
  t.teardown(async () => {
    const a = testKafka().admin();
    await a.connect();
    await a.deleteTopics({ topics: [topic] }).catch(() => {});
    await a.disconnect();
  });
}

/**
 * Deletes every topic named `<prefix>.…` on `brokers`: the stage topics of daemons started with
 * that topic prefix. Tests and the bench call it when they are done, or each run leaves its data
 * on the shared broker's disk.
 */
export async function dropTopics(brokers: string[], prefix: string): Promise<void> {
  const admin = new Kafka({ brokers, clientId: 'vigil-test', logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((name) => name.startsWith(`${prefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** `dropTopics` on the shared broker when the test ends; a broker that is gone keeps its topics, and no result depends on them. */
export function dropTopicsAtEnd(t: Test, prefix: string): void {
  t.teardown(() => dropTopics([KAFKA_BROKER], prefix).catch(() => {}));
}

/** Produces `messages` to `topic` with acks=all, as any plain client would. */
export async function produce(topic: string, messages: Message[]): Promise<void> {
  const producer = testKafka().producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

/** The committed offset of each partition of `topic` for `groupId` (-1: none). */
export async function committed(groupId: string, topic: string): Promise<number[]> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return entry!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` passes (30 s: a fresh consumer group joining on a loaded machine took over 10); returns the last answer. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
