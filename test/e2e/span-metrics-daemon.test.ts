/**
 * Promise (issue 10): span metrics count every span, before sampling, in the running daemon. A
 * `traces` pipeline exports to `[spanmetrics, forward]`; the forwarded spans are sampled (25 %)
 * in a second traces pipeline and written to a file; the metrics pipeline receives from
 * spanmetrics and sends over OTLP/HTTP to a local sink. The sink must see every span counted, and
 * the sampled traces the file kept must be reachable from the metrics' exemplars.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { decodeProtobuf, toJson } from '../../pdata/index.js';
import { Daemon, freePort, tempDir } from '../daemon.js';
import { dropTopicsAtEnd, unique } from '../kafka.js';
import { kafkaAvailable, requireService } from '../services.js';
import { waitUntil } from '../wait.js';
import { latest, pointsOf, type Point } from '../../connectors/span-metrics/series-view.test-helpers.js';
import { makeTraffic } from '../../connectors/span-metrics/traffic.test-helpers.js';

/** An OTLP/HTTP metrics sink: every request decoded into points. */
async function metricsSink(t: Test): Promise<{ port: number; points: Point[] }> {
  const sink = { port: 0, points: [] as Point[] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { payload } = decodeProtobuf('metrics', Buffer.concat(chunks));
      if (payload) sink.points.push(...pointsOf([JSON.parse(toJson(payload)) as Record<string, unknown>]));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.address() as { port: number }).port;
  t.teardown(() => { server.close(); });
  return sink;
}

/** Runs the promise on one stage log: `queue` is the YAML of service.queue. */
async function scenario(t: Test, queue: string): Promise<void> {
  const sink = await metricsSink(t);
  const dir = tempDir('vigil-spanmetrics-e2e-');
  const sampled = join(dir, 'sampled.jsonl');
  const [otlpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const daemon = await Daemon.start(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${otlpPort} }
processors:
  probabilistic_sampler: { sampling_percentage: 25 }
connectors:
  spanmetrics:
    metrics_flush_interval: 500ms
    dimensions: [{ name: http.method, default: GET }]
    exemplars: { enabled: true, max_per_data_point: 1000 }
  forward: {}
exporters:
  file/sampled: { path: ${sampled} }
  otlphttp/sink:
    endpoint: http://127.0.0.1:${sink.port}
    compression: none
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  queue: ${queue}
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [spanmetrics, forward]
    traces/sampled:
      receivers: [forward]
      processors: [probabilistic_sampler]
      exporters: [file/sampled]
    metrics:
      receivers: [spanmetrics]
      exporters: [otlphttp/sink]
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));

  const spans = makeTraffic(300, 3);
  const expected = spans.reduce((n, s) => n + (s.spanContext().traceState?.get('ot') === 'th:c' ? 4 : 1), 0);
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${otlpPort}/v1/traces` });
  await new Promise<void>((resolve, reject) => exporter.export(spans, (r) =>
    (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))));
  await exporter.shutdown();

  // On the Kafka queue each traces partition writes its own series (collector.instance.id `<log>#<partition>`): sum over them.
  const counted = (): number => {
    const calls = sink.points.filter((p) => p.metric === 'traces.span.metrics.calls');
    const writers = new Set(calls.map((p) => String(p.attributes['collector.instance.id'])));
    return [...writers].reduce((n, w) => n + [...latest(calls.filter((p) => p.attributes['collector.instance.id'] === w)).values()].reduce((m, p) => m + p.value, 0), 0);
  };
  t.ok(await waitUntil(() => counted() === expected, 30_000), `the sink saw all ${spans.length} spans counted (${expected} adjusted; got ${counted()})`);

  const keptTraces = new Set<string>();
  const readSampled = (): void => {
    let text: string;
    try { text = readFileSync(sampled, 'utf8'); } catch { return; }
    for (const line of text.split('\n').filter((l) => l.length > 0)) {
      const doc = JSON.parse(line) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ traceId: string }> }> }> };
      for (const r of doc.resourceSpans ?? []) for (const s of r.scopeSpans ?? []) for (const sp of s.spans ?? []) keptTraces.add(sp.traceId);
    }
  };
  const allTraces = new Set(spans.map((s) => s.spanContext().traceId));
  await waitUntil(() => { readSampled(); return keptTraces.size > 0; }, 10_000);
  t.ok(keptTraces.size > 0 && keptTraces.size < allTraces.size * 0.5, `sampling kept a share of the traces (${keptTraces.size} of ${allTraces.size})`);

  const exemplarTraces = new Set(sink.points.flatMap((p) => p.exemplars.map((e) => e.traceId)));
  t.ok([...allTraces].every((id) => exemplarTraces.has(id)), 'every trace, sampled or not, is an exemplar of its metrics');
  t.ok([...keptTraces].every((id) => exemplarTraces.has(id)), 'so every kept trace is reachable from the metrics');
  t.ok(sink.points.every((p) => p.resource['service.name'] === p.attributes['service.name']), 'metrics keep the spans\' resource');
  t.equal(await daemon.stop(), 0, 'vigil exits cleanly after SIGTERM');
}

t.test('memory queue: spanmetrics before sampling, every span counted, the sampled ones kept, exemplars linking them', async (t) => {
  await scenario(t, '{ type: memory }');
});

t.test('Kafka queue: the same, with the connector on the forwarding thread producing into the metrics log', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable())) return;
  const prefix = unique('vigil-spanmetrics');
  dropTopicsAtEnd(t, prefix);
  await scenario(t, `{ type: kafka, kafka: { brokers: [localhost:9092], topic_prefix: ${prefix}, group_id: ${prefix}, partitions: 2 } }`);
});
