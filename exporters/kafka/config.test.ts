/** One test per config rule, each reading a YAML file from testdata/. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { issueOf } from '../exporterhelper/test-support.js';
import { configSchema, destination } from './config.js';
import { factory } from './factory.js';

const load = (name: string): unknown => (parse(readFileSync(new URL(`../../../exporters/kafka/testdata/${name}`, import.meta.url), 'utf8')) as { kafka: unknown }).kafka;

t.test('an otelcol kafka exporter config loads unchanged', async (t) => {
  const c = configSchema.parse(load('otelcol.yaml'));
  t.match(c, {
    brokers: ['kafka-1:9092', 'kafka-2:9092'], client_id: 'vigil-edge', partition_traces_by_id: true, timeout: 10_000,
    producer: { max_message_bytes: 500_000, required_acks: 1, compression: 'gzip' },
    retry_on_failure: { initial_interval: 1000, max_interval: 20_000, max_elapsed_time: 120_000 },
    sending_queue: { num_consumers: 4, queue_size: 100 },
    auth: { sasl: { mechanism: 'SCRAM-SHA-512', username: 'vigil' } },
  });
  t.same(destination(c, 'traces'), { topic: 'otel-spans', encoding: 'otlp_proto' }, 'a signal block wins');
  t.same(destination(c, 'logs'), { topic: 'otel-logs', encoding: 'otlp_json' }, 'the top-level encoding fills in');
  t.same(destination(c, 'metrics'), { topic: 'spans-legacy', encoding: 'otlp_json' }, 'the top-level topic fills in');
});

t.test('defaults are otelcol\'s, except acks=all', async (t) => {
  const c = factory.createDefaultConfig();
  t.same(c.brokers, ['localhost:9092']);
  t.equal(c.client_id, 'otel-collector');
  t.same([destination(c, 'traces'), destination(c, 'metrics'), destination(c, 'logs')], [
    { topic: 'otlp_spans', encoding: 'otlp_proto' }, { topic: 'otlp_metrics', encoding: 'otlp_proto' }, { topic: 'otlp_logs', encoding: 'otlp_proto' },
  ]);
  t.match(c.producer, { max_message_bytes: 1_000_000, required_acks: -1, compression: 'none' });
  t.equal(c.partition_traces_by_id, false);
});

t.test('rules', async (t) => {
  t.equal(issueOf(configSchema, load('brotli.yaml')), 'producer::compression: expected one of "none", "gzip", "snappy", "lz4", "zstd", got "brotli"');
  t.equal(issueOf(configSchema, load('bad-acks.yaml')), 'producer::required_acks: expected -1 (all replicas), 1 (the leader) or 0 (no answer)');
  t.equal(issueOf(configSchema, load('jaeger.yaml')), 'traces::encoding: encoding "jaeger_proto" is an otelcol encoding vigil does not implement: use "otlp_proto" or "otlp_json"');
  t.equal(issueOf(configSchema, load('bad-broker.yaml')), 'brokers::0: expected a broker like "kafka:9092", got "kafka-1"');
  t.equal(issueOf(configSchema, load('bad-mechanism.yaml')), 'auth::sasl::mechanism: mechanism "AWS_MSK_IAM_OAUTHBEARER" is not supported: use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512');
  t.match(issueOf(configSchema, load('unknown-key.yaml')), /Unrecognized key: "partition_traces_by_ids"/);
  t.equal(issueOf(configSchema, load('zero-max-message.yaml')), 'producer::max_message_bytes: must be at least 1');
});
