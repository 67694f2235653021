/** `vigil validate`'s code path on whole configs using the connector: an otelcol one loads, mistakes carry file:line:column. */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { FACTORIES } from '../../cmd/components.js';
import { checkConfig } from '../../cmd/validate.js';

const file = (name: string): string => fileURLToPath(new URL(`../../../connectors/span-metrics/testdata/${name}`, import.meta.url));

t.test('an otelcol pipeline with spanmetrics validates', async (t) => {
  const r = await checkConfig({ files: [file('otelcol-pipeline.yaml')], sets: [], factories: FACTORIES, env: {} });
  t.same(r.errors.map(String), []);
  const c = r.config!.connectors.get('spanmetrics')!.config as { metrics_flush_interval: number; histogram: { explicit?: { buckets?: number[] } } };
  t.equal(c.metrics_flush_interval, 15_000);
  t.same(c.histogram.explicit?.buckets, [100e3, 1e6, 2e6, 6e6, 10e6, 100e6, 250e6], 'bucket durations in nanoseconds');
});

t.test('every mistake, with its position and key path', async (t) => {
  const r = await checkConfig({ files: [file('bad-pipeline.yaml')], sets: [], factories: FACTORIES, env: {} });
  t.same(r.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`), [
    '8:13 connectors::span_metrics::histogram::unit: unknown Unit "h", allowed units are "ms" and "s"',
    '9:29 connectors::span_metrics::metrics_flush_interval: expected a duration like "10s", got "soon"',
  ]);
});
