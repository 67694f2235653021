/**
 * The kafka exporter against the real broker (npm run services:up): an export far larger than the
 * topic's max.message.bytes, keyed by trace onto one partition, is produced in requests the broker
 * takes, and every span can be read back.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import t from 'tap';
import { createTopicsWithLeaders } from '../../pipeline/kafka/topics.js';
import { dropTopicsAtEnd } from '../../test/kafka.js';
import { kafkaAvailable, requireService } from '../../test/services.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { decodeProtobuf } from '../../pdata/index.js';
import { NoopHost, testSettings } from '../../test/doubles.js';
import { waitFor } from '../../test/wait.js';
import { benchPayload } from '../exporterhelper/test-support.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

const BROKER = 'localhost:9092';
const LIMIT = 16_000;

t.test('an export of many times max_message_bytes to a one-partition topic is produced whole', async (t) => {
  if (!requireService(t, 'kafka', await kafkaAvailable())) return;
  const prefix = `vigil-test-${randomUUID().slice(0, 8)}`;
  const topic = `${prefix}.spans`;
  dropTopicsAtEnd(t, prefix);
  const kafka = new Kafka({ brokers: [BROKER], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  // The broker refuses any partition's record batch above this, as it would above its 1 MB default.
  await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: String(LIMIT) }] }]);

  const config = factory.configSchema.parse({
    brokers: [BROKER], traces: { topic }, partition_traces_by_id: true,
    producer: { max_message_bytes: LIMIT }, retry_on_failure: { enabled: false },
  });
  const exporter = factory.create(testSettings('kafka/test', new SelfMetrics()), config);
  await exporter.start(new NoopHost());
  t.teardown(() => exporter.shutdown(Date.now() + 5000));
  const payload = benchPayload(512); // ~300 KB, many traces: all of them on partition 0
  t.ok(payload.bytes.byteLength > 10 * LIMIT, `${payload.bytes.byteLength} bytes in one export`);
  await exporter.consume(payload);

  const consumer = kafka.consumer({ groupId: prefix });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  let spans = 0;
  await consumer.run({ eachMessage: async ({ message }) => void (spans += decodeProtobuf('traces', message.value!).payload!.itemCount) });
  await waitFor('512 spans read back', () => spans >= 512, 15_000);
  t.equal(spans, 512, 'every span read back from the topic');
});
