/**
 * The kafka receiver and exporter against the shared broker: round trips in both encodings, a topic
 * written the otelcol way, poison records, commit only after the pipeline accepted, trace keys.
 */
import { ProtobufLogsSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import t, { type Test } from 'tap';
import { factory as exporterFactory } from '../../exporters/kafka/index.js';
import { RetryableError } from '../../pipeline/errors.js';
import { decodeProtobuf, forEachSpan, toJson } from '../../pdata/index.js';
import type { Payload, Signal } from '../../pdata/payload.js';
import { NoopHost, RecordingConsumer, testSettings } from '../../test/doubles.js';
import { makeLogs, makeMetrics, makeSpans } from '../../test/e2e/sdk-fixtures.js';
import { committed, createTopic, eventually, produce, testKafka, unique } from '../../test/kafka.js';
import { flatten } from '../../test/otlp-compare.js';
import { kafkaAvailable, requireService } from '../../test/services.js';
import { factory } from './index.js';

await factory.load?.(); // the implementation, as the service loads it before building
await exporterFactory.load?.();

const up = await kafkaAvailable();

/** The SDK's own telemetry, as validated payloads. */
async function sdkPayloads(): Promise<Record<Signal, Payload>> {
  return {
    traces: decodeProtobuf('traces', ProtobufTraceSerializer.serializeRequest(makeSpans(3))!).payload!,
    metrics: decodeProtobuf('metrics', ProtobufMetricsSerializer.serializeRequest(await makeMetrics(AggregationTemporality.DELTA))!).payload!,
    logs: decodeProtobuf('logs', ProtobufLogsSerializer.serializeRequest(makeLogs(4))!).payload!,
  };
}

/** Items of payloads as comparable JSON (resource and scope folded in), sorted. */
function items(signal: Signal, payloads: Payload[]): string[] {
  const docs = payloads.map((p) => JSON.parse(toJson(p)) as Record<string, unknown>);
  return flatten(signal, docs, () => '').map((i) => JSON.stringify(i.value)).sort();
}

/**
 * How many different items the payloads hold. A fresh consumer group may rebalance once after
 * joining and deliver again what it had not committed yet (at least once), so tests wait for the
 * items they expect, not for a number of deliveries.
 */
const distinct = (signal: Signal, payloads: Payload[]): number => new Set(items(signal, payloads)).size;

/** A started kafka receiver feeding one RecordingConsumer per signal. */
async function receiver(t: Test, config: Record<string, unknown>, signals: Signal[] = ['traces']) {
  const settings = testSettings('kafka/in');
  const sinks = new Map(signals.map((s) => [s, new RecordingConsumer()]));
  const groupId = unique('vigil-rcv');
  const r = factory.create(settings, factory.configSchema.parse({ group_id: groupId, initial_offset: 'earliest', heartbeat_interval: '500ms', error_backoff: { initial_interval: '20ms', max_interval: '100ms' }, ...config }), sinks);
  await r.start(new NoopHost());
  t.teardown(() => r.shutdown(Date.now() + 2000));
  return { r, sinks, groupId, settings };
}

async function exporter(t: Test, config: Record<string, unknown>) {
  const settings = testSettings('kafka/out');
  const e = exporterFactory.create(settings, exporterFactory.configSchema.parse(config));
  await e.start(new NoopHost());
  t.teardown(() => e.shutdown(Date.now() + 2000));
  return { e, settings };
}

const metric = async (settings: ReturnType<typeof testSettings>, name: string): Promise<number> =>
  (await settings.metrics.registry.getSingleMetric(name)?.get())?.values.reduce((n, v) => n + v.value, 0) ?? 0;

const ROUND_TRIPS = [['otlp_proto', 'gzip'], ['otlp_json', 'gzip'], ['otlp_proto', 'snappy'], ['otlp_proto', 'lz4'], ['otlp_json', 'zstd']] as const;
for (const [encoding, compression] of ROUND_TRIPS) {
  t.test(`exporter → topic → receiver, ${encoding}, ${compression}: the SDK's traces, metrics and logs come out unchanged`, async (t) => {
    if (!requireService(t, 'Kafka', up)) return;
    const topics = { traces: unique('vigil-rt-spans'), metrics: unique('vigil-rt-metrics'), logs: unique('vigil-rt-logs') };
    for (const topic of Object.values(topics)) await createTopic(t, topic);
    const blocks = { traces: { topic: topics.traces }, metrics: { topic: topics.metrics }, logs: { topic: topics.logs } };
    const { e } = await exporter(t, { ...blocks, encoding, producer: { compression } });
    const sent = await sdkPayloads();
    for (const p of Object.values(sent)) await e.consume(p);
    const { sinks } = await receiver(t, { ...blocks, encoding }, ['traces', 'metrics', 'logs']);
    t.ok(await eventually(() => [...sinks.values()].every((s) => s.received.length >= 1)), 'the request of every signal arrived');
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      const got = sinks.get(signal)!.received;
      t.same([...new Set(items(signal, got))], [...new Set(items(signal, [sent[signal]]))], `${signal} unchanged`);
      if (encoding === 'otlp_proto') t.ok(Buffer.from(got[0]!.bytes).equals(Buffer.from(sent[signal].bytes)), `${signal}: the very bytes`);
    }
  });
}

t.test('a topic written the otelcol way (one ExportTraceServiceRequest per record) is read correctly', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-otelcol');
  await createTopic(t, topic, 2);
  const requests = [makeSpans(1), makeSpans(2), makeSpans(4)].map((spans) => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!));
  await produce(topic, requests.map((value, i) => ({ value, partition: i % 2 })));
  const { r, sinks, settings } = await receiver(t, { traces: { topic } });
  const sink = sinks.get('traces')!;
  t.ok(await eventually(() => distinct('traces', sink.received) === 2 + 4 + 8), 'every record read');
  t.same(r.notReadyReasons?.(), [], 'ready once its consumer group member joined');
  const expected = requests.map((b) => decodeProtobuf('traces', b).payload!);
  t.same([...new Set(items('traces', sink.received))], [...new Set(items('traces', expected))], 'every span, as the SDK made it');
  const accepted = await settings.metrics.registry.getSingleMetric('otelcol_receiver_accepted_spans_total')?.get();
  t.same(accepted?.values.map((v) => [v.labels, v.value]), [[{ receiver: 'kafka/in', transport: 'kafka' }, sink.items]], 'accepted counts every span delivered (14, more after a redelivery)');
});

t.test('poison: a garbage record between two good ones is counted, skipped and committed past', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-poison');
  await createTopic(t, topic);
  const good = () => Buffer.from(ProtobufTraceSerializer.serializeRequest(makeSpans(1))!);
  await produce(topic, [{ value: good() }, { value: Buffer.from('definitely not protobuf \xff\xff\xff') }, { value: good() }]);
  const { sinks, groupId, settings } = await receiver(t, { traces: { topic } });
  t.ok(await eventually(() => distinct('traces', sinks.get('traces')!.received) === 4), 'both good records delivered (2 spans each)');
  t.ok(await eventually(async () => (await committed(groupId, topic))[0] === 3, 5000), 'the poison record\'s offset committed');
  t.equal(await metric(settings, 'vigil_kafka_consumer_skipped_records_total'), 1, 'the poison record counted');
  await produce(topic, [{ value: good() }]);
  t.ok(await eventually(() => distinct('traces', sinks.get('traces')!.received) === 6), 'the partition is not blocked');
});

t.test('commit after export: while the pipeline refuses, nothing is committed; the record is redelivered until accepted', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-commit');
  await createTopic(t, topic);
  await produce(topic, [{ value: Buffer.from(ProtobufTraceSerializer.serializeRequest(makeSpans(1))!) }]);
  const sink = new RecordingConsumer();
  let attempts = 0;
  const refusing = { consume: async (p: Payload) => { attempts++; if (attempts <= 5) throw new RetryableError('exporter down'); await sink.consume(p); } };
  const settings = testSettings('kafka/in');
  const groupId = unique('vigil-commit');
  const r = factory.create(settings, factory.configSchema.parse({
    traces: { topic }, group_id: groupId, initial_offset: 'earliest', autocommit: { interval: '100ms' },
    error_backoff: { initial_interval: '100ms', max_interval: '200ms' },
  }), new Map([['traces', refusing]]));
  await r.start(new NoopHost());
  t.teardown(() => r.shutdown(Date.now() + 2000));
  t.ok(await eventually(() => attempts >= 3), 'delivered, refused, delivered again');
  t.same(await committed(groupId, topic), [-1], 'no offset committed while the pipeline refuses');
  t.equal(sink.received.length, 0);
  t.ok(await eventually(() => sink.received.length === 1), 'accepted once the pipeline takes it');
  t.equal(attempts, 6);
  t.ok(await eventually(async () => (await committed(groupId, topic))[0] === 1, 5000), 'then committed');
});

t.test('partition_traces_by_id: all spans of a trace land on one partition, keyed by the trace id', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-bytrace');
  await createTopic(t, topic, 4);
  const { e } = await exporter(t, { traces: { topic }, partition_traces_by_id: true });
  const { benchPayload } = await import('../../exporters/exporterhelper/test-support.js');
  const p = benchPayload(60);
  await e.consume(p);
  const consumer = testKafka().consumer({ groupId: unique('vigil-bytrace-check') });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const partitionOfTrace = new Map<string, Set<number>>();
  // Distinct spans, not deliveries: a fresh group may rebalance once after joining and redeliver
  // what it had not committed, and a count of deliveries would then overshoot 60 forever.
  const spans = new Set<string>();
  let keyed = true;
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      forEachSpan(decodeProtobuf('traces', message.value!).payload!, (s) => {
        const id = Buffer.from(s.traceId).toString('hex');
        if (message.key?.toString() !== id) keyed = false;
        const set = partitionOfTrace.get(id) ?? new Set();
        set.add(partition);
        partitionOfTrace.set(id, set);
        spans.add(`${id}/${Buffer.from(s.spanId).toString('hex')}`);
      });
    },
  });
  t.teardown(() => consumer.disconnect());
  t.ok(await eventually(() => spans.size === 60), 'every span produced');
  t.equal(spans.size, 60, 'distinct spans read back');
  t.ok(keyed, 'each record keyed by its spans\' hex trace id');
  t.ok([...partitionOfTrace.values()].every((s) => s.size === 1), `each of ${partitionOfTrace.size} traces on one partition`);
  t.ok(new Set([...partitionOfTrace.values()].map((s) => [...s][0])).size > 1, 'traces spread over partitions');
});

t.test('message_marking: the notice is logged only when the user set the key', async (t) => {
  if (!requireService(t, 'Kafka', up)) return;
  const topic = unique('vigil-marking');
  await createTopic(t, topic);
  const { capturedSettings } = await import('../../exporters/exporterhelper/test-support.js');
  const notices = async (extra: Record<string, unknown>): Promise<number> => {
    const { settings, lines } = capturedSettings('kafka/marking', 'info');
    const config = factory.configSchema.parse({ traces: { topic }, group_id: unique('vigil-marking'), heartbeat_interval: '500ms', ...extra });
    const r = factory.create(settings, config, new Map([['traces', new RecordingConsumer()]]));
    await r.start(new NoopHost());
    await r.shutdown(Date.now() + 2000);
    t.ok(lines.some((l) => l.msg === 'consuming'), 'the capture saw the receiver start');
    return lines.filter((l) => /message_marking/.test(String(l.msg))).length;
  };
  t.equal(await notices({}), 0, 'not set: nothing said about it');
  t.equal(await notices({ message_marking: { after: true } }), 0, 'set to what vigil does: nothing to say');
  t.equal(await notices({ message_marking: { after: false, on_error: true } }), 1, 'set otherwise: explained once');
});
