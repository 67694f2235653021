import t from 'tap';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { capturedSettings, issueOf, samplePayload } from '../exporterhelper/test-support.js';
import { configSchema } from './config.js';
import { factory } from './factory.js';

await factory.load?.(); // the implementation, as the service loads it before building

const load = (name: string): unknown => (parse(readFileSync(new URL(`../../../exporters/debug/testdata/${name}`, import.meta.url), 'utf8')) as { debug: unknown }).debug;
const flush = () => new Promise((r) => setImmediate(r));

t.test('basic: one line with otelcol counts per signal', async (t) => {
  const { settings, lines } = capturedSettings('debug');
  const e = factory.create(settings, factory.createDefaultConfig());
  await e.consume(await samplePayload('traces', 3));
  await e.consume(await samplePayload('logs', 2));
  await flush();
  t.equal(lines.length, 2);
  t.match(lines[0], { msg: 'TracesExporter', 'resource spans': 1, spans: 3 });
  t.match(lines[1], { msg: 'LogsExporter', 'resource logs': 1, 'log records': 2 });
  const { settings: s2, lines: l2 } = capturedSettings('debug');
  const m = factory.create(s2, configSchema.parse({ sampling_initial: 10 }));
  const metrics = await samplePayload('metrics');
  await m.consume(metrics);
  await flush();
  t.match(l2[0], { msg: 'MetricsExporter', 'resource metrics': 1, 'data points': metrics.itemCount });
  t.ok(l2[0]!.metrics > 0, 'metrics counted');
});

t.test('normal: one line per span, metric and log record', async (t) => {
  const { settings, lines } = capturedSettings('debug');
  const e = factory.create(settings, configSchema.parse({ verbosity: 'normal', sampling_initial: 10 }));
  await e.consume(await samplePayload('traces', 2));
  await flush();
  t.equal(lines.length, 1 + 2, 'summary + 2 spans');
  t.match(lines[1], { service: 'checkout', trace_id: /^[0-9a-f]{32}$/, span_id: /^[0-9a-f]{16}$/ });
  lines.length = 0;
  const metrics = await samplePayload('metrics');
  await e.consume(metrics);
  await flush();
  t.ok(lines.length > 2, 'one line per metric');
  t.ok(lines.slice(1).every((l) => typeof l.msg === 'string' && l.msg !== '' && typeof l.data_points === 'number'));
  lines.length = 0;
  await e.consume(await samplePayload('logs', 3));
  await flush();
  t.equal(lines.length, 1 + 3);
  t.equal(lines[1]!.service, 'checkout');
});

t.test('detailed: the full OTLP/JSON', async (t) => {
  const { settings, lines } = capturedSettings('debug');
  const e = factory.create(settings, configSchema.parse({ verbosity: 'detailed' }));
  await e.consume(await samplePayload('traces', 1));
  await flush();
  t.equal(lines.length, 2);
  const doc = lines[1]!.traces;
  t.equal(doc.resourceSpans[0].scopeSpans[0].spans.length, 1);
  t.match(doc.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano, /^\d+$/, '64-bit times as strings');
});

t.test('sampling: the first sampling_initial per second, then every sampling_thereafter-th', async (t) => {
  const { settings, lines } = capturedSettings('debug');
  const e = factory.create(settings, configSchema.parse({ sampling_initial: 2, sampling_thereafter: 3 }));
  const p = await samplePayload('traces', 1);
  const start = Date.now();
  for (let i = 0; i < 8; i++) await e.consume(p);
  await flush();
  if (Math.floor(Date.now() / 1000) === Math.floor(start / 1000)) t.equal(lines.length, 2 + 2, '1,2 then 5,8');
  else t.ok(lines.length >= 4, 'crossed a second boundary');
});

t.test('config rules', async (t) => {
  t.equal(issueOf(configSchema, load('bad-verbosity.yaml')), 'verbosity: expected one of "basic", "normal", "detailed"');
  t.match(issueOf(configSchema, { loglevel: 'debug' }), /Unrecognized key: "loglevel"/);
  t.equal(issueOf(configSchema, { sampling_initial: 0 }), 'sampling_initial: must be at least 1');
  t.match(configSchema.parse(load('otelcol.yaml')), { verbosity: 'detailed', sampling_initial: 5, sampling_thereafter: 200 });
  t.same(factory.createDefaultConfig(), { verbosity: 'basic', sampling_initial: 2, sampling_thereafter: 1, use_internal_logger: true });
});
