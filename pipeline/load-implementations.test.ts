import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { FACTORIES } from '../cmd/components.js';
import { loadConfig } from '../config/index.js';
import { tempDir } from '../test/daemon.js';
import { RecordingConsumer, testSettings } from '../test/doubles.js';
import { loadedImplementations } from './lazy-module.js';
import { loadImplementations } from './load-implementations.js';

const YAML = `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }
processors:
  batch: {}
  tail_sampling: {}
exporters:
  debug: {}
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [debug] }
`;

t.test('loads the implementations of the types a config names, configured or used, and no other', async (t) => {
  t.same(loadedImplementations(), [], 'importing the registry loads none');
  const file = join(tempDir(), 'c.yaml');
  writeFileSync(file, YAML);
  const { config, errors } = loadConfig({ files: [file], factories: FACTORIES, env: {} });
  t.same(errors.map(String), []);
  const batch = FACTORIES.find((f) => f.type === 'batch');
  if (batch?.kind !== 'processor') throw new Error('no batch processor');
  t.throws(() => batch.create(testSettings('batch'), batch.createDefaultConfig(), 'traces', new RecordingConsumer()), /before its factory's load\(\) resolved/, 'create before load is a bug, said so');
  await loadImplementations(config!);
  t.same([...loadedImplementations()].sort(), ['batch', 'debug', 'otlp', 'tail_sampling']);
  await loadImplementations(config!);
  t.equal(loadedImplementations().length, 4, 'each once');
});
