/** One test per validation rule, each reading a file from config/testdata and checking message and line. */
import t from 'tap';
import type { Test } from 'tap';
import { fileURLToPath } from 'node:url';
import { loadTestdata, printed } from './fake-factories.test-helpers.js';
import { loadConfig } from './loader.js';

const errorsOf = (t: Test, file: string) => {
  const r = loadTestdata([file]);
  t.equal(r.config, undefined, `${file}: no config when there are errors`);
  return printed(r.errors);
};

t.test('1: unknown keys, with a suggestion or the list of valid keys', async (t) => {
  t.same(errorsOf(t, 'unknown-key.yaml'), [
    'unknown-key.yaml:7:5 processors::batch::sned_batch_size: unknown key "sned_batch_size"; did you mean "send_batch_size"?',
    'unknown-key.yaml:8:5 processors::batch::colour: unknown key "colour"; valid keys: send_batch_max_size, send_batch_size, timeout',
    'unknown-key.yaml:17:3 service::telemetri: unknown key "telemetri"; did you mean "telemetry"?',
  ]);
});

t.test('2: wrong types', async (t) => {
  t.same(errorsOf(t, 'wrong-type.yaml'), [
    'wrong-type.yaml:3:16 receivers::otlp::protocols: expected a map, got a list',
    'wrong-type.yaml:6:22 processors::batch::send_batch_size: expected a whole number, got "abc"',
    'wrong-type.yaml:7:14 processors::batch::timeout: expected a duration like "10s", got "ten"',
    'wrong-type.yaml:13:18 service::pipelines::traces::receivers: expected a list, got "otlp"',
  ]);
});

t.test('3: out-of-range values', async (t) => {
  t.same(errorsOf(t, 'out-of-range.yaml'), [
    'out-of-range.yaml:5:32 receivers::otlp::protocols::grpc::max_recv_msg_size_mib: must be at least 1',
    'out-of-range.yaml:8:26 processors::probabilistic_sampler::sampling_percentage: must be at most 100',
    'out-of-range.yaml:20:19 service::queue::memory::partitions: must be at most 256',
  ]);
});

t.test('4: unknown component types list the valid types of that kind, aliases included', async (t) => {
  const r = loadTestdata(['unknown-type.yaml']);
  t.same(printed(r.errors), [
    'unknown-type.yaml:2:3 receivers::otlpp: unknown receiver type "otlpp"; valid types: kafka, otlp',
    'unknown-type.yaml:10:3 exporters::loki: unknown exporter type "loki"; valid types: debug, otlp, otlp_grpc, prometheus',
  ]);
  t.notOk(r.errors.some((e) => e.path.startsWith('exporters::otlp/backend')), 'otlp/backend resolves through the alias');
});

t.test('5: pipelines naming components that are not configured', async (t) => {
  t.same(errorsOf(t, 'unconfigured.yaml'), [
    'unconfigured.yaml:12:25 service::pipelines::traces::receivers::1: receiver "kafka" is not configured; add it under "receivers"',
    'unconfigured.yaml:13:27 service::pipelines::traces::processors::1: processor "memory_limiter" is not configured; add it under "processors"',
    'unconfigured.yaml:14:26 service::pipelines::traces::exporters::1: exporter "debugg" is not configured; add it under "exporters" (did you mean "debug"?)',
    'unconfigured.yaml:17:19 service::pipelines::logs::exporters::0: "batch" is configured under "processors", which cannot serve as an exporter here',
  ]);
});

t.test('6: components used with a signal they do not support, connectors on each side', async (t) => {
  t.same(errorsOf(t, 'unsupported-signal.yaml'), [
    'unsupported-signal.yaml:17:19 service::pipelines::traces::exporters::0: exporter "prometheus" does not support traces; it supports metrics',
    'unsupported-signal.yaml:17:31 service::pipelines::traces::exporters::1: connector "spanmetrics" gets traces here but no pipeline it feeds takes what it makes of them (it connects traces -> metrics; it feeds logs)',
    'unsupported-signal.yaml:20:20 service::pipelines::metrics::processors::0: processor "tail_sampling" does not support metrics; it supports traces',
    'unsupported-signal.yaml:23:19 service::pipelines::logs::receivers::0: connector "spanmetrics" cannot produce logs from what it is given (traces); it connects traces -> metrics',
  ]);
});

t.test('6: a connector must be used as both exporter and receiver', async (t) => {
  t.same(errorsOf(t, 'connector-one-side.yaml'), [
    'connector-one-side.yaml:14:26 service::pipelines::traces::exporters::1: connector "forward" is used as an exporter but no pipeline lists it as a receiver',
    'connector-one-side.yaml:16:19 service::pipelines::logs::receivers::0: connector "forward/in" is used as a receiver but no pipeline lists it as an exporter',
  ]);
});

t.test('7: pipeline ids name a signal; pipelines need receivers and exporters', async (t) => {
  t.same(errorsOf(t, 'pipeline-ids.yaml'), [
    'pipeline-ids.yaml:9:5 service::pipelines::spans: unknown signal "spans" in pipeline id "spans"; a pipeline id is traces, metrics or logs, optionally followed by /name',
    'pipeline-ids.yaml:12:5 service::pipelines::metrics/: invalid pipeline id "metrics/": the name after "/" must be non-empty, without "/" or spaces',
    'pipeline-ids.yaml:16:18 service::pipelines::logs::receivers: a pipeline needs at least one receiver',
    'pipeline-ids.yaml:18:5 service::pipelines::traces::exporters: missing required key "exporters"',
  ]);
});

t.test('8: cycles through connectors are named', async (t) => {
  t.same(errorsOf(t, 'cycle.yaml'), [
    'cycle.yaml:17:19 service::pipelines::traces/a::exporters::0: pipelines form a cycle through connectors: traces/a -> forward/2 -> traces/a',
  ]);
  t.same(errorsOf(t, 'cycle-two.yaml'), [
    'cycle-two.yaml:17:19 service::pipelines::traces/a::exporters::0: pipelines form a cycle through connectors: traces/a -> forward/2 -> traces/b -> forward/1 -> traces/a',
  ]);
});

t.test('9: service.extensions naming an unconfigured extension', async (t) => {
  t.same(errorsOf(t, 'unknown-extension.yaml'), [
    'unknown-extension.yaml:10:30 service::extensions::1: extension "pprof" is not configured; add it under "extensions"',
  ]);
});

t.test('10: configured but unused components are warnings, and the config still loads', async (t) => {
  const r = loadTestdata(['unused.yaml']);
  t.same(r.errors, []);
  t.ok(r.config);
  t.same(printed(r.warnings), [
    'unused.yaml:2:3 extensions::health_check: extension "health_check" is configured but not enabled in service::extensions',
    'unused.yaml:7:3 receivers::kafka: receiver "kafka" is configured but not used in any pipeline',
    'unused.yaml:10:3 processors::batch: processor "batch" is configured but not used in any pipeline',
    'unused.yaml:13:3 exporters::otlp: exporter "otlp" is configured but not used in any pipeline',
  ]);
  t.equal(r.config!.exporters.get('otlp')?.factory.type, 'otlp_grpc', 'unused components are still in the config');
});

t.test('10b: a processor emitting events in a pipeline with no connector into logs is warned about', async (t) => {
  // The real registry: the event emitters (anomaly) and the events connector are real components.
  const { FACTORIES } = await import('../cmd/components.js');
  const file = fileURLToPath(new URL('../../config/testdata/events-dropped.yaml', import.meta.url));
  const r = loadConfig({ files: [file], factories: FACTORIES, env: {} });
  t.same(r.errors, []);
  t.same(printed(r.warnings), [
    'events-dropped.yaml:16:20 service::pipelines::metrics/unrouted::processors::0: processor "anomaly" emits vigil.anomaly log records, but pipeline "metrics/unrouted" has no connector into a logs pipeline, so they are dropped; add "events" to its exporters (see processors/events)',
  ], 'only the pipeline without the events connector, and not one whose processor has its events off');
});

t.test('11: YAML syntax errors and duplicate keys, at the parser position', async (t) => {
  t.same(errorsOf(t, 'syntax.yaml'), ['syntax.yaml:7:1: Flow sequence in block collection must be sufficiently indented and end with a ]']);
  t.same(errorsOf(t, 'duplicate-key.yaml'), ['duplicate-key.yaml:8:5: duplicate key "verbosity"']);
});

t.test('12: env expansion errors, unset variables warn', async (t) => {
  const r = loadTestdata(['env.yaml'], { env: { HOST: '127.0.0.1', MAX_MIB: '16', BACKEND: 'backend:4317' } });
  t.same(printed(r.errors), [
    'env.yaml:10:14 exporters::otlp::timeout: expected a duration like "10s", got ""',
    'env.yaml:12:16 exporters::debug::verbosity: an empty environment variable name in "${env:}"',
    'env.yaml:20:14 service::telemetry::logs::level: unsupported config source "file" in "${file:/etc/level}"; only ${env:NAME} is supported',
  ]);
  t.same(printed(r.warnings), ['env.yaml:10:14 exporters::otlp::timeout: environment variable "NOPE" is not set; using an empty value']);
});

t.test('a file that cannot be read', async (t) => {
  const r = loadTestdata(['no-such-file.yaml']);
  t.equal(r.errors.length, 1);
  t.match(printed(r.errors)[0], /^no-such-file\.yaml: cannot read: ENOENT/);
  t.equal(r.errors[0]!.line, 0);
});

t.test('tagged queue: a block of another type is an error, as is an out-of-range redis db', async (t) => {
  t.same(errorsOf(t, 'queue-mismatch.yaml'), [
    'queue-mismatch.yaml:15:7 service::queue::memory: a "memory" block does not go with type "kafka"; put these settings under "kafka" or set type: memory',
    'queue-mismatch.yaml:19:11 service::state::redis::db: must be at most 15',
  ]);
});

t.test('ConfigError fields and toString', async (t) => {
  const [e] = loadTestdata(['wrong-type.yaml']).errors;
  t.match(e, { line: 3, column: 16, path: 'receivers::otlp::protocols', message: 'expected a map, got a list' });
  t.ok(e!.file.endsWith('wrong-type.yaml'));
  t.equal(String(e), `${e!.file}:3:16 receivers::otlp::protocols: expected a map, got a list`);
});
