/** The config handover to the forwarding thread: what arrives is what was validated, factories re-attached. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { FACTORIES } from '../../cmd/components.js';
import { loadConfig, type ServiceConfig } from '../../config/index.js';
import { tempDir } from '../../test/daemon.js';
import { fromPortable, toPortable } from './portable-config.js';

/** Every kind of component, an alias, env expansion, a Kafka queue and Redis state. */
const YAML = `
extensions:
  health_check: { endpoint: 127.0.0.1:13133 }
receivers:
  otlp: { protocols: { grpc: { endpoint: 127.0.0.1:4317 }, http: { endpoint: 127.0.0.1:4318 } } }
processors:
  memory_limiter: { check_interval: 1s, limit_mib: 512 }
  batch: { timeout: 200ms }
  probabilistic_sampler: { sampling_percentage: 25 }
connectors:
  forward: {}
exporters:
  otlp/backend: { endpoint: "\${env:BACKEND}", tls: { insecure: true } }
  file: { path: /tmp/out.jsonl }
  kafka: { brokers: [localhost:9092], topic: spans-out }
service:
  extensions: [health_check]
  shutdown_timeout: 20s
  queue: { type: kafka, kafka: { brokers: [localhost:9092], topic_prefix: handover, session_timeout: 8s } }
  state: { type: redis, redis: { endpoint: 127.0.0.1:6379 } }
  pipelines:
    traces: { receivers: [otlp], processors: [memory_limiter, probabilistic_sampler], exporters: [forward, file] }
    traces/out: { receivers: [forward], processors: [batch], exporters: [otlp/backend, kafka] }
`;

function load(): ServiceConfig {
  const file = join(tempDir(), 'config.yaml');
  writeFileSync(file, YAML);
  const { config, errors } = loadConfig({ files: [file], factories: FACTORIES, env: { BACKEND: 'backend:4317' } });
  if (!config) throw new Error(errors.map(String).join('\n'));
  return config;
}

t.test('the config that arrives by structured clone equals the validated one, factories and all', async (t) => {
  const config = load();
  t.throws(() => structuredClone(config), 'the validated config itself cannot cross: it holds factories');
  const arrived = fromPortable(structuredClone(toPortable(config)), FACTORIES);
  t.same(arrived, config, 'every component config, the pipelines and the service section');
  for (const section of ['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const) {
    for (const [id, c] of config[section]) t.equal(arrived[section].get(id)?.factory, c.factory, `${section} ${id}: the same factory object`);
  }
  t.equal((arrived.exporters.get('otlp/backend')?.config as { endpoint: string }).endpoint, 'backend:4317', 'env already expanded: the worker has no env to read');
});

t.test('a factory missing on the other side is a bug, said plainly', async (t) => {
  const portable = toPortable(load());
  t.throws(() => fromPortable(portable, FACTORIES.filter((f) => f.type !== 'probabilistic_sampler')), /no processor factory of type "probabilistic_sampler"/);
});
