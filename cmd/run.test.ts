/** Where `vigil run` puts the forwarding side: on a thread of its own, or beside the receivers. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig, type ServiceConfig } from '../config/index.js';
import { tempDir } from '../test/daemon.js';
import { FACTORIES } from './components.js';
import { forwardsOnItsOwnThread } from './run.js';

function config(processors: string, queue = '{ type: memory }'): ServiceConfig {
  const file = join(tempDir(), 'run.yaml');
  writeFileSync(file, `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }
processors:
  batch: {}
  tail_sampling: { decision_wait: 1s, policies: [{ name: all, type: always_sample }] }
exporters:
  debug: {}
service:
  queue: ${queue}
  pipelines:
    traces: { receivers: [otlp], processors: [${processors}], exporters: [debug] }
`);
  const { config, errors } = loadConfig({ files: [file], factories: FACTORIES, env: {} });
  if (!config) throw new Error(errors.map((e) => e.message).join('\n'));
  return config;
}

t.test('auto: a forwarding thread when a processor keeps keyed state and there are two cores', async (t) => {
  t.equal(forwardsOnItsOwnThread(config('tail_sampling, batch'), 2), true, 'tail_sampling, two cores');
  t.equal(forwardsOnItsOwnThread(config('tail_sampling, batch'), 1), false, 'one core: nothing to gain');
  t.equal(forwardsOnItsOwnThread(config('batch'), 2), false, 'plain forwarding stays on one thread');
});

t.test('forward_thread: true or false decides on the memory queue; the Kafka queue always has one', async (t) => {
  t.equal(forwardsOnItsOwnThread(config('batch', '{ type: memory, memory: { forward_thread: true } }'), 1), true);
  t.equal(forwardsOnItsOwnThread(config('tail_sampling', '{ type: memory, memory: { forward_thread: false } }'), 2), false);
  t.equal(forwardsOnItsOwnThread(config('batch', '{ type: kafka, kafka: { brokers: [127.0.0.1:9092] } }'), 1), true);
});
