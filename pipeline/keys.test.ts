/** pipelineKeyOf: what each pipeline's stage log is keyed by, on each queue. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { FACTORIES } from '../cmd/components.js';
import { loadConfig, type ServiceConfig } from '../config/index.js';
import { tempDir } from '../test/daemon.js';
import { pipelineKeyOf } from './keys.js';

function config(queue: string): ServiceConfig {
  const file = join(tempDir(), 'keys.yaml');
  writeFileSync(file, `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }
processors:
  tail_sampling: { decision_wait: 1s, policies: [{ name: all, type: always_sample }] }
  batch: {}
  red_indicators: {}
connectors:
  forward/sampling: {}
exporters:
  debug: {}
service:
  queue: ${queue}
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [debug] }
    traces/sampled: { receivers: [otlp], processors: [tail_sampling, batch], exporters: [debug] }
    traces/chain: { receivers: [otlp], exporters: [forward/sampling] }
    traces/chain-sampled: { receivers: [forward/sampling], processors: [tail_sampling], exporters: [debug] }
    metrics: { receivers: [otlp], processors: [batch], exporters: [debug] }
    metrics/red: { receivers: [otlp], processors: [red_indicators], exporters: [debug] }
    logs: { receivers: [otlp], processors: [batch], exporters: [debug] }
`);
  const { config, errors } = loadConfig({ files: [file], factories: FACTORIES, env: {} });
  if (!config) throw new Error(errors.map((e) => e.message).join('\n'));
  return config;
}

function keys(c: ServiceConfig): Record<string, unknown> {
  return Object.fromEntries(c.pipelines.map((p) => [p.id, pipelineKeyOf(c, p)]));
}

/** What every pipeline but the stateless traces one is keyed by, on either queue. */
const ALIKE = {
  'traces/sampled': { by: 'trace_id' },
  'traces/chain': { by: 'trace_id' },
  'traces/chain-sampled': { by: 'trace_id' },
  metrics: { by: 'series' },
  'metrics/red': { by: 'attribute', name: 'service.name' },
  logs: { by: 'none' },
};

t.test('memory queue: a stateless traces pipeline appends requests whole, unless it feeds a keyed one through forward; declared keys and series hold', async (t) => {
  t.same(keys(config('{ type: memory }')), { traces: { by: 'none' }, ...ALIKE });
});

t.test('Kafka queue: every trace reaches one instance whole, with or without a stateful processor', async (t) => {
  t.same(keys(config('{ type: kafka, kafka: { brokers: [localhost:9092] } }')), { traces: { by: 'trace_id' }, ...ALIKE });
});
