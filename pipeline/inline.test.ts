/** inlinedPipelines: which pipelines run in-line on their upstream's stage log, and which keep a log of their own. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { FACTORIES } from '../cmd/components.js';
import { loadConfig, type ServiceConfig } from '../config/index.js';
import { tempDir } from '../test/daemon.js';
import { inlinedPipelines } from './inline.js';

const HEAD = `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }
processors:
  tail_sampling: { decision_wait: 1s, policies: [{ name: all, type: always_sample }] }
  batch: {}
  memory_limiter: { check_interval: 1s, limit_mib: 100 }
  probabilistic_sampler: { sampling_percentage: 50 }
connectors:
  forward/a: {}
  forward/b: {}
  span_metrics: {}
exporters:
  debug: {}
service:
  queue: { type: kafka, kafka: { brokers: [localhost:9092] } }
  pipelines:
`;

function config(pipelines: string): ServiceConfig {
  const file = join(tempDir(), 'inline.yaml');
  writeFileSync(file, HEAD + pipelines);
  const { config, errors } = loadConfig({ files: [file], factories: FACTORIES, env: {} });
  if (!config) throw new Error(errors.map((e) => e.message).join('\n'));
  return config;
}

t.test('the analytics chain: the sampled pipeline runs on the traces log; the metrics pipeline keeps its own', async (t) => {
  const c = config(`    traces: { receivers: [otlp], exporters: [span_metrics, forward/a] }
    traces/sampled: { receivers: [forward/a], processors: [tail_sampling, batch], exporters: [debug] }
    metrics: { receivers: [span_metrics], processors: [batch], exporters: [debug] }
`);
  t.same([...inlinedPipelines(c)], [['traces/sampled', 'traces']]);
});

t.test('a chain of forward connectors runs on the first log', async (t) => {
  const c = config(`    traces: { receivers: [otlp], exporters: [forward/a] }
    traces/b: { receivers: [forward/a], exporters: [forward/b] }
    traces/c: { receivers: [forward/b], processors: [tail_sampling], exporters: [debug] }
`);
  t.same(Object.fromEntries(inlinedPipelines(c)), { 'traces/b': 'traces', 'traces/c': 'traces' });
});

t.test('keeps a log of its own when in-line could not keep its promises', async (t) => {
  const cases: Record<string, string> = {
    // batch mixes partitions and drops the delivery a stateful processor downstream needs
    'upstream has processors': `    traces: { receivers: [otlp], processors: [probabilistic_sampler], exporters: [forward/a] }
    traces/sampled: { receivers: [forward/a], processors: [tail_sampling], exporters: [debug] }
`,
    'also fed by a receiver': `    traces: { receivers: [otlp], exporters: [forward/a] }
    traces/sampled: { receivers: [forward/a, otlp], processors: [tail_sampling], exporters: [debug] }
`,
    'fed by two pipelines': `    traces: { receivers: [otlp], exporters: [forward/a] }
    traces/other: { receivers: [otlp], exporters: [forward/a] }
    traces/sampled: { receivers: [forward/a], processors: [tail_sampling], exporters: [debug] }
`,
    'not a pass-through connector (span_metrics: traces to metrics)': `    traces: { receivers: [otlp], exporters: [span_metrics] }
    metrics: { receivers: [span_metrics], processors: [batch], exporters: [debug] }
`,
    'admits (memory_limiter) downstream': `    traces: { receivers: [otlp], exporters: [forward/a] }
    traces/sampled: { receivers: [forward/a], processors: [memory_limiter, tail_sampling], exporters: [debug] }
`,
  };
  for (const [why, pipelines] of Object.entries(cases)) t.same([...inlinedPipelines(config(pipelines))], [], why);
});
