/**
 * Removes a benchmark run's Kafka topics once its daemons have stopped. A Kafka run writes
 * gigabytes per daemon group; left on the broker, a few runs fill a developer's disk.
 */
import { Kafka, logLevel } from 'kafkajs';

/** Deletes every topic named `<prefix>.…` on `brokers`; a failure is reported, never thrown. */
export async function dropTopics(brokers: string[], prefix: string, log: (line: string) => void): Promise<void> {
  const admin = new Kafka({ brokers, clientId: 'vigil-bench', logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((name) => name.startsWith(`${prefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } catch (err) {
    log(`could not delete the topics ${prefix}.*: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await admin.disconnect();
  }
}
