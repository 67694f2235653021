/** One test per config rule, each reading a YAML file from testdata/. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { issueOf } from '../../exporters/exporterhelper/test-support.js';
import { noopConsumer } from '../../test/doubles.js';
import { configSchema, sourceOf } from './config.js';
import { factory } from './factory.js';
import { routesOf } from './receiver.js';

const load = (name: string): unknown => (parse(readFileSync(new URL(`../../../receivers/kafka/testdata/${name}`, import.meta.url), 'utf8')) as { kafka: unknown }).kafka;

t.test('an otelcol kafka receiver config loads unchanged', async (t) => {
  const c = configSchema.parse(load('otelcol.yaml'));
  t.match(c, {
    brokers: ['kafka-1:9092'], client_id: 'vigil-gw', group_id: 'vigil-gateway', initial_offset: 'earliest',
    session_timeout: 30_000, heartbeat_interval: 5_000, autocommit: { interval: 2_000 },
    error_backoff: { initial_interval: 50, max_interval: 5_000 }, auth: { plain_text: { username: 'vigil' } },
  });
  t.same(sourceOf(c, 'traces'), { topics: ['otel-spans-a', 'otel-spans-b'], encoding: 'otlp_proto' });
  t.same(sourceOf(c, 'metrics'), { topics: ['otel-metrics'], encoding: 'otlp_json' });
  t.same(sourceOf(c, 'logs'), { topics: ['legacy-topic'], encoding: 'otlp_json' });
});

t.test('defaults are otelcol\'s', async (t) => {
  const c = factory.createDefaultConfig();
  t.match(c, { brokers: ['localhost:9092'], client_id: 'otel-collector', group_id: 'otel-collector', initial_offset: 'latest', session_timeout: 10_000, heartbeat_interval: 3_000 });
  t.same(sourceOf(c, 'traces'), { topics: ['otlp_spans'], encoding: 'otlp_proto' });
  t.same(sourceOf(c, 'logs'), { topics: ['otlp_logs'], encoding: 'otlp_proto' });
});

t.test('rules', async (t) => {
  t.equal(issueOf(configSchema, load('bad-initial-offset.yaml')), 'initial_offset: expected "latest" or "earliest"');
  t.equal(issueOf(configSchema, load('topic-and-topics.yaml')), 'traces: set topic or topics, not both');
  t.equal(issueOf(configSchema, load('heartbeat-too-long.yaml')), 'heartbeat_interval: must be less than session_timeout');
  t.equal(issueOf(configSchema, load('bad-encoding.yaml')), 'encoding: expected "otlp_proto" or "otlp_json", got "protobuf"');
  t.match(issueOf(configSchema, load('unknown-key.yaml')), /Unrecognized key: "groupid"/);
  t.equal(issueOf(configSchema, load('bad-duration.yaml')), 'session_timeout: expected a duration like "10s", got "ten"');
  t.equal(issueOf(configSchema, load('sasl-and-plain.yaml')), 'auth: set sasl or plain_text, not both');
});

t.test('one topic carries one signal', async (t) => {
  const c = configSchema.parse({ topic: 'shared' });
  t.throws(() => routesOf(c, new Map([['traces', noopConsumer], ['logs', noopConsumer]])),
    { name: 'PermanentError', message: /topic "shared" is configured for both traces and logs/ });
  t.equal(routesOf(c, new Map([['traces', noopConsumer]])).get('shared')?.signal, 'traces');
});
