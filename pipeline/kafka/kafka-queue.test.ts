/** The Kafka stage log against the real broker on localhost:9092 (npm run services:up). */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import t from 'tap';
import { dropTopicsAtEnd } from '../../test/kafka.js';
import { kafkaAvailable, requireService } from '../../test/services.js';
import { waitFor } from '../../test/wait.js';
import { UnavailableError } from '../errors.js';
import { decodeProtobuf, groupByPartition, makeRealisticTraceRequest, type Payload } from '../../pdata/index.js';
import { SelfMetrics } from '../telemetry.js';
import { KafkaQueue } from './kafka-queue.js';

const logger = pino({ level: process.env.VIGIL_TEST_LOG ?? 'silent' });
const BROKER = 'localhost:9092';

function settings(prefix: string, overrides: Record<string, unknown> = {}) {
  return {
    brokers: [BROKER], client_id: 'vigil-test', topic_prefix: prefix, partitions: 4, replication_factor: 1,
    compression: 'gzip' as const, max_message_bytes: 1_000_000, group_id: prefix, session_timeout: 6000, inline_forward: true, ...overrides,
  };
}

/** The group's committed offsets summed over the topic's partitions, and the topic's end offsets. */
async function offsets(topic: string, groupId: string): Promise<{ committed: number; end: number }> {
  const admin = new Kafka({ brokers: [BROKER], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return {
      committed: group!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0),
      end: ends.reduce((n, p) => n + Number(p.high), 0),
    };
  } finally {
    await admin.disconnect();
  }
}

t.test('appends are durable, delivered whole per trace partition, and committed after acknowledgement', async (t) => {
  if (!requireService(t, 'kafka', await kafkaAvailable())) return;
  const prefix = `vigil-test-${randomUUID().slice(0, 8)}`;
  dropTopicsAtEnd(t, prefix);
  const queue = new KafkaQueue(settings(prefix, { max_message_bytes: 16_000 }), new SelfMetrics(), logger);
  const log = queue.makeLog('traces.ingest', 'traces');
  await queue.start();
  t.teardown(() => queue.close());
  t.equal(log.partitions, 4, 'the topic was created with the configured partitions');

  const received: Array<{ payload: Payload; partition: number }> = [];
  let failOnce = true;
  await log.consume(async (payload, { partition }) => {
    // The first delivery fails retryably: it must come again, and nothing may be committed past it meanwhile.
    if (failOnce) {
      failOnce = false;
      throw new UnavailableError('exporter down');
    }
    received.push({ payload, partition });
  });

  const request = decodeProtobuf('traces', makeRealisticTraceRequest(512)).payload!;
  const records = [...groupByPartition(request, log.partitions)].map(([partition, payload]) => ({ key: undefined, partition, payload }));
  await log.append(records);
  await waitFor('every span delivered', () => received.reduce((n, r) => n + r.payload.itemCount, 0) >= 512, 20_000);
  t.equal(received.reduce((n, r) => n + r.payload.itemCount, 0), 512, 'every span delivered once after the retry');
  t.ok(received.length > records.length, `records over max_message_bytes were cut (${received.length} records for ${records.length} partitions)`);
  const misplaced = received.filter((r) => [...groupByPartition(r.payload, log.partitions).keys()].join() !== String(r.partition));
  t.equal(misplaced.length, 0, 'every record holds only traces of the partition it was delivered from');
  t.equal(await log.drain(Date.now() + 10_000), 0, 'drain leaves nothing behind');
  const o = await offsets(`${prefix}.traces.ingest`, `${prefix}.traces.ingest`);
  t.equal(o.committed, o.end, `committed offsets reach the end of the topic (${o.committed} of ${o.end})`);
});

t.test('uncompressed appends larger than max_message_bytes on one partition are accepted (not one oversized record batch)', async (t) => {
  if (!requireService(t, 'kafka', await kafkaAvailable())) return;
  const prefix = `vigil-test-${randomUUID().slice(0, 8)}`;
  dropTopicsAtEnd(t, prefix);
  const queue = new KafkaQueue(settings(prefix, { compression: 'none', partitions: 1, max_message_bytes: 16_000 }), new SelfMetrics(), logger);
  const log = queue.makeLog('traces.ingest', 'traces');
  await queue.start();
  t.teardown(() => queue.close());
  let spans = 0;
  await log.consume(async (payload) => void (spans += payload.itemCount));
  // ~300 KB per request, cut into ~20 records of at most 16 KB, all on partition 0; several
  // appends at once gather behind the first request. The broker refuses any partition's batch
  // over the topic's max.message.bytes, so each request must hold at most 16 KB per partition.
  const request = decodeProtobuf('traces', makeRealisticTraceRequest(512)).payload!;
  await Promise.all([1, 2, 3].map(() => log.append([{ key: undefined, partition: 0, payload: request }])));
  await waitFor('every span delivered', () => spans >= 3 * 512, 20_000);
  t.equal(spans, 3 * 512, 'all three appends were durable and delivered');
  t.equal(await log.drain(Date.now() + 10_000), 0);
});

t.test('a broker that cannot be reached fails start-up with a clear error', async (t) => {
  const queue = new KafkaQueue(settings('vigil-unreachable', { brokers: ['127.0.0.1:1'] }), new SelfMetrics(), logger);
  queue.makeLog('traces.ingest', 'traces');
  await t.rejects(queue.start(), /cannot use Kafka at 127\.0\.0\.1:1/);
});

for (const compression of ['snappy', 'lz4', 'zstd'] as const) {
  t.test(`compression ${compression}: the stage log writes and reads its records back whole`, async (t) => {
    if (!requireService(t, 'kafka', await kafkaAvailable())) return;
    const prefix = `vigil-test-${randomUUID().slice(0, 8)}`;
    dropTopicsAtEnd(t, prefix);
    const queue = new KafkaQueue(settings(prefix, { compression, partitions: 2 }), new SelfMetrics(), logger);
    const log = queue.makeLog('traces.ingest', 'traces');
    await queue.start();
    t.teardown(() => queue.close());
    const received: Payload[] = [];
    await log.consume(async (payload) => {
      received.push(payload);
    });
    const request = decodeProtobuf('traces', makeRealisticTraceRequest(256)).payload!;
    const records = [...groupByPartition(request, log.partitions)].map(([partition, payload]) => ({ key: undefined, partition, payload }));
    await log.append(records);
    await waitFor('every span delivered', () => received.reduce((n, r) => n + r.itemCount, 0) >= 256, 30_000);
    t.equal(received.reduce((n, r) => n + r.itemCount, 0), 256, `every span delivered once through ${compression} batches`);
    t.equal(await log.drain(Date.now() + 10_000), 0, 'drain leaves nothing behind');
  });
}
