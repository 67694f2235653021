/** The service section: defaults, durations in ms, and the tagged queue and state choices. */
import t from 'tap';
import { loadTestdata, printed } from './fake-factories.test-helpers.js';
import { serviceSchema } from './service.js';

t.test('a complete valid config: aliases, defaults, connectors, extensions, kafka queue', async (t) => {
  const r = loadTestdata(['valid.yaml']);
  t.same(r.errors, []);
  t.same(r.warnings, []);
  const c = r.config!;
  t.same(c.service, {
    pipelines: {
      traces: { receivers: ['otlp'], processors: ['tail_sampling', 'batch'], exporters: ['otlp/backend', 'spanmetrics'] },
      metrics: { receivers: ['otlp', 'spanmetrics'], processors: ['batch'], exporters: ['debug'] },
    },
    extensions: ['health_check'],
    telemetry: { logs: { level: 'info' }, metrics: { level: 'normal', address: 'localhost:8888' } },
    shutdown_timeout: 90_000,
    queue: {
      type: 'kafka',
      kafka: {
        brokers: ['kafka-1:9092', 'kafka-2:9092'], client_id: 'vigil', topic_prefix: 'vigil', partitions: 8, replication_factor: 1,
        compression: 'none', max_message_bytes: 1_000_000, group_id: 'vigil', session_timeout: 45_000, inline_forward: true,
      },
    },
    state: { type: 'memory' },
  });
  t.same(c.pipelines.map((p) => [p.id, p.signal]), [['traces', 'traces'], ['metrics', 'metrics']]);
  t.same([...c.exporters.keys()], ['otlp/backend', 'debug']);
  t.equal(c.exporters.get('otlp/backend')!.factory.type, 'otlp_grpc');
  t.same(c.exporters.get('debug')!.config, { verbosity: 'basic' }, 'no config means createDefaultConfig()');
  t.same(c.processors.get('tail_sampling')!.config, { decision_wait: 10_000, num_traces: 50_000, policies: [{ name: 'slow', type: 'latency' }] });
  t.same(c.connectors.get('spanmetrics')!.config, { dimensions: ['http.method'] });
  t.same([...c.extensions.keys()], ['health_check']);
});

t.test('service defaults', async (t) => {
  const s = serviceSchema.parse({ pipelines: { traces: { receivers: ['a'], exporters: ['b'] } } });
  t.same(s.queue, { type: 'memory', memory: { max_size_mib: 64, partitions: 2, forward_thread: 'auto' } });
  t.same(s.state, { type: 'memory' });
  t.equal(s.shutdown_timeout, 10_000);
  t.same(s.extensions, []);
  t.same(s.pipelines.traces!.processors, []);
  t.same(serviceSchema.parse({ pipelines: { logs: { receivers: ['a'], exporters: ['b'] } }, state: { type: 'redis' } }).state,
    { type: 'redis', redis: { endpoint: 'localhost:6379', db: 0, key_prefix: 'vigil' } });
});

t.test('tagged choices: unknown type, missing block, block without type, bad nested values', async (t) => {
  const errors = (sets: string[]) => printed(loadTestdata(['base.yaml'], { sets }).errors);
  t.same(errors(['service.queue.type=rabbit']), ['--set:1:1 service::queue::type: unknown queue type "rabbit"; valid types: memory, kafka']);
  t.same(errors(['service.queue.type=kafka']), ['--set:1:1 service::queue::kafka: missing required key "kafka"']);
  t.same(errors(['service.queue.memory.forward_thread=sometimes']), ['--set:1:1 service::queue::memory::forward_thread: expected one of "auto", "true", "false", got "sometimes"']);
  t.same(errors(['service.state.redis.db=2']), ['--set:1:1 service::state::type: missing required key "type"; valid types: memory, redis']);
  t.same(errors(['service.queue={type: kafka, kafka: {brokers: [], compression: brotli, auth: {sasl: {mechanism: PLAIN}}}}']), [
    '--set:1:32 service::queue::kafka::brokers: expected at least one broker',
    '--set:1:49 service::queue::kafka::compression: expected one of "none", "gzip", "snappy", "lz4", "zstd", got "brotli"',
    '--set:1:64 service::queue::kafka::auth::sasl::username: missing required key "username"',
    '--set:1:64 service::queue::kafka::auth::sasl::password: missing required key "password"',
  ]);
  t.same(errors(['service.queue={type: kafka, kafka: {brokers: [k:9092], lingering: 1}}']),
    ['--set:1:42 service::queue::kafka::lingering: unknown key "lingering"; valid keys: auth, brokers, client_id, compression, group_id, inline_forward, max_message_bytes, partitions, protocol_version, replication_factor, session_timeout, tls, topic_prefix']);
  // Each --set value is its own one-line document; the path tells them apart.
  t.same(errors(['service.telemetry.metrics.address=nowhere', 'service.shutdown_timeout=forever', 'service.extensions=x']), [
    '--set:1:1 service::extensions: expected a list, got "x"',
    '--set:1:1 service::telemetry::metrics::address: expected an endpoint like "localhost:4317", got "nowhere"',
    '--set:1:1 service::shutdown_timeout: expected a duration like "10s", got "forever"',
  ]);
});

t.test('a config without a service section, or with no pipelines', async (t) => {
  const noService = loadTestdata(['base.yaml'], { sets: ['service=null'] });
  // The key `service:` is still base.yaml's; only its value came from --set.
  t.same(printed(noService.errors), ['base.yaml:13:1 service::pipelines: missing required key "pipelines"']);
  const empty = loadTestdata(['no-pipelines.yaml']);
  t.same(printed(empty.errors), ['no-pipelines.yaml:6:14 service::pipelines: define at least one pipeline']);
  t.same(printed(empty.warnings), ['no-pipelines.yaml:2:3 receivers::otlp: receiver "otlp" is configured but not used in any pipeline']);
  const missing = loadTestdata(['base.yaml', 'no-pipelines.yaml'], { sets: ['service=[]'] });
  t.same(printed(missing.errors), ['--set:1:1 service: expected a map, got a list']);
});
