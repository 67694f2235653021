/** Several files, --set overrides and env expansion together: the merged result and where each value came from. */
import t from 'tap';
import { FACTORIES, loadTestdata, printed, testdata } from './fake-factories.test-helpers.js';
import { loadConfig } from './loader.js';

t.test('files merge in order, --set wins, env expands, positions point into the right file', async (t) => {
  const bad = loadTestdata(['base.yaml', 'overlay.yaml'], { env: { BACKEND: 'backend:4317' } });
  // The overlay's timeout is wrong; its position is in overlay.yaml, not base.yaml.
  t.same(printed(bad.errors), ['overlay.yaml:7:14 exporters::otlp/2::timeout: expected a duration like "10s", got "oops"']);

  const r = loadTestdata(['base.yaml', 'overlay.yaml'], {
    env: { BACKEND: 'backend:4317', WAIT: '3s' },
    sets: ['exporters::otlp/2::timeout=${env:WAIT}', 'processors.batch.send_batch_max_size=1000', 'service.telemetry.logs.level=debug'],
  });
  t.same(r.errors, []);
  t.same(r.warnings, []);
  const c = r.config!;
  t.same(c.processors.get('batch')!.config, { send_batch_size: 500, send_batch_max_size: 1000, timeout: 1000 });
  t.same(c.receivers.get('otlp')!.config, { protocols: { grpc: { endpoint: '0.0.0.0:4317', max_recv_msg_size_mib: 4 } } });
  t.same(c.exporters.get('otlp/2')!.config, { endpoint: 'backend:4317', timeout: 3000, retry_on_failure: { enabled: true, max_elapsed_time: 300_000 } });
  t.same(c.exporters.get('otlp/2')!.id, { type: 'otlp', name: '2', id: 'otlp/2' });
  t.equal(c.exporters.get('otlp/2')!.factory.type, 'otlp_grpc');
  // Lists are replaced, not appended; keys the overlay does not name stay from base.
  t.same(c.pipelines, [{ id: 'traces', signal: 'traces', receivers: ['otlp'], processors: ['batch'], exporters: ['debug', 'otlp/2'] }]);
  t.equal(c.service.telemetry.logs.level, 'debug');
});

t.test('errors keep the position of the file that set the value', async (t) => {
  const r = loadTestdata(['base.yaml', 'overlay.yaml'], {
    env: { BACKEND: 'backend:4317' },
    sets: ['exporters::otlp/2::timeout=1s', 'processors.batch.timeout=soon', 'receivers.otlp.protocols.grpc.max_recv_msg_size_mib=100'],
  });
  t.same(printed(r.errors), [
    '--set:1:1 receivers::otlp::protocols::grpc::max_recv_msg_size_mib: must be at most 64',
    '--set:1:1 processors::batch::timeout: expected a duration like "10s", got "soon"',
  ]);
  const base = loadTestdata(['base.yaml'], { sets: ['processors.batch.send_batch_size=-1'] });
  t.same(printed(base.errors), ['--set:1:1 processors::batch::send_batch_size: must be at least 0']);
  const fromBase = loadTestdata(['overlay.yaml', 'base.yaml'], { env: { BACKEND: 'x:1' }, sets: ['processors.batch.timeout=1s'] });
  // overlay first: base's pipeline replaces the overlay's exporters list, so otlp/2 is unused (a warning, with overlay's line).
  t.same(printed(fromBase.errors), ['overlay.yaml:7:14 exporters::otlp/2::timeout: expected a duration like "10s", got "oops"']);
  t.same(printed(fromBase.warnings), ['overlay.yaml:5:3 exporters::otlp/2: exporter "otlp/2" is configured but not used in any pipeline']);
});

t.test('--set creates missing maps, takes flow lists, and rejects a malformed override', async (t) => {
  const r = loadTestdata(['base.yaml'], {
    sets: ['exporters.otlp/new.endpoint=collector:4317', 'service.pipelines.traces.exporters=[debug, otlp/new]', 'service.queue.memory.partitions=4'],
  });
  t.same(r.errors, []);
  t.same(r.config!.pipelines[0]!.exporters, ['debug', 'otlp/new']);
  t.equal((r.config!.exporters.get('otlp/new')!.config as { endpoint: string }).endpoint, 'collector:4317');
  t.same(r.config!.service.queue, { type: 'memory', memory: { max_size_mib: 64, partitions: 4, forward_thread: 'auto' } });

  const bad = loadTestdata(['base.yaml'], { sets: ['no-equals-sign', 'a..b=1', 'processors.batch.timeout=[1s'] });
  t.same(printed(bad.errors), [
    '--set:1:1: expected key.path=value, got "no-equals-sign"',
    '--set:1:1: expected key.path=value, got "a..b=1"',
    '--set:1:4 processors::batch::timeout: Flow sequence must end with a ]',
  ]);
});

t.test('no files, and every unreadable file is reported', async (t) => {
  const none = loadConfig({ files: [], factories: FACTORIES, env: {} });
  t.same(none.errors.map(String), ['--config: no configuration file given; use --config FILE']);
  const two = loadConfig({ files: [testdata('nope-1.yaml'), testdata('base.yaml'), testdata('nope-2.yaml')], factories: FACTORIES, env: {} });
  t.same(printed(two.errors).map((e) => e.replace(/ENOENT.*/, 'ENOENT')), ['nope-1.yaml: cannot read: ENOENT', 'nope-2.yaml: cannot read: ENOENT']);
});

t.test('anchors and merge keys resolve; errors point where the value was written', async (t) => {
  const r = loadTestdata(['base.yaml', 'anchors.yaml'], { sets: ['processors.batch.timeout=1s'] });
  t.same(printed(r.errors), [
    'anchors.yaml:4:14 processors::batch/2::timeout: expected a duration like "10s", got "nope"',
    'anchors.yaml:4:14 processors::batch/3::timeout: expected a duration like "10s", got "nope"',
  ]);
  const ok = loadTestdata(['base.yaml', 'anchors.yaml'], { sets: ['processors.batch.timeout=1s', 'processors.batch/2.timeout=2s', 'processors.batch/3.timeout=3s'] });
  t.same(ok.errors, []);
  t.same(ok.config!.processors.get('batch/2')!.config, { send_batch_size: 200, send_batch_max_size: 0, timeout: 2000 });
  t.same(ok.config!.processors.get('batch/3')!.config, { send_batch_size: 100, send_batch_max_size: 0, timeout: 3000 });
});
