/** service.telemetry.metrics: vigil's `address` and otelcol's `readers` give the same parsed value. */
import t from 'tap';
import { loadTestdata, printed } from './fake-factories.test-helpers.js';
import { selfMetricsSchema } from './self-metrics.js';

t.test("otelcol's pull reader with a prometheus exporter is the address vigil serves /metrics on", async (t) => {
  const r = loadTestdata(['telemetry-readers.yaml']);
  t.same(printed(r.errors), []);
  t.same(r.config!.service.telemetry.metrics, { level: 'detailed', address: '0.0.0.0:8888' });
});

t.test('the short form and the default are unchanged', async (t) => {
  t.same(selfMetricsSchema.parse({}), { level: 'normal', address: 'localhost:8888' });
  t.same(selfMetricsSchema.parse({ address: '127.0.0.1:9' }), { level: 'normal', address: '127.0.0.1:9' });
  t.same(selfMetricsSchema.parse({ level: 'none' }), { level: 'none', address: 'localhost:8888' });
  t.same(selfMetricsSchema.parse({ readers: [{ pull: { exporter: { prometheus: { host: '::', port: 0 } } } }] }), { level: 'normal', address: '[::]:0' });
  t.same(selfMetricsSchema.parse({ readers: [{ pull: { exporter: { prometheus: { port: 8888 } } } }] }).address, 'localhost:8888', 'host defaults to localhost');
});

t.test('a periodic reader and resource labels are refused, each at its key', async (t) => {
  const r = loadTestdata(['telemetry-refused.yaml']);
  t.same(printed(r.errors), [
    'telemetry-refused.yaml:15:13 service::telemetry::metrics::readers::0::periodic: a periodic reader (pushing self-metrics) is not supported: vigil serves its self-metrics for scraping; use a pull reader with a prometheus exporter',
    'telemetry-refused.yaml:22:60 service::telemetry::metrics::readers::1::pull::exporter::prometheus::with_resource_constant_labels::included: vigil\'s self-metrics carry no resource labels: leave "included" empty',
  ]);
});

t.test('address and readers together are refused', async (t) => {
  const r = loadTestdata(['telemetry-both.yaml']);
  t.same(printed(r.errors), [
    'telemetry-both.yaml:15:9 service::telemetry::metrics::readers: set address or readers, not both: they both say where self-metrics are served',
  ]);
});

t.test('readers must hold one pull reader; unknown keys are named', async (t) => {
  const issues = (v: unknown): string[] => {
    const r = selfMetricsSchema.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  t.match(issues({ readers: [] }), [/^readers: expected one pull reader; to turn self-metrics off, set level: none$/]);
  const pull = (port: number) => ({ pull: { exporter: { prometheus: { port } } } });
  t.match(issues({ readers: [pull(1), pull(2)] }), [/^readers\.1: vigil serves its self-metrics on one address: configure one pull reader$/]);
  t.match(issues({ readers: [{}] }), [/^readers\.0: expected a pull reader/]);
  t.match(issues({ readers: [{ pull: { exporter: { prometheus: { host: 'h' } } } }] }), [/port/]);
  t.match(issues({ readers: [{ pull: { exporter: { prometheus: { port: 1, translation_strategy: 'x' } } } }] }), [/translation_strategy/]);
});
