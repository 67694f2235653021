/**
 * The real daemon, an OpenTelemetry SDK sending a gauge: scores go to the metrics exporter, the
 * anomaly event through the events connector into a logs pipeline, and nowhere else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Daemon, freePort, tempDir } from '../../test/daemon.js';

/** A reader the test collects from when it wants. */
class OnDemand extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');

t.test('an SDK gauge with a spike: scores to the metrics file, one vigil.anomaly event to the logs pipeline', async (t) => {
  const dir = tempDir();
  const [http, health] = [await freePort(), await freePort()];
  const daemon = await Daemon.start(`
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${http} } } }
processors:
  anomaly:
    detectors: [robust_z]
    robust_z: { window: 32, min_points: 8 }
    calibration: { min_points: 10 }
connectors:
  events:
exporters:
  file/metrics: { path: ${join(dir, 'metrics.jsonl')} }
  file/events: { path: ${join(dir, 'events.jsonl')} }
extensions:
  health_check: { endpoint: 127.0.0.1:${health} }
service:
  extensions: [health_check]
  telemetry: { metrics: { level: none } }
  pipelines:
    metrics: { receivers: [otlp], processors: [anomaly], exporters: [file/metrics, events] }
    logs/anomalies: { receivers: [events], exporters: [file/events] }
`, health);
  t.teardown(() => daemon.stop('SIGKILL'));

  const reader = new OnDemand();
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'checkout' }), readers: [reader] });
  let value = 0;
  provider.getMeter('test').createObservableGauge('queue.depth').addCallback((r) => r.observe(value, { queue: 'orders' }));
  const exporter = new OTLPMetricExporter({ url: `http://127.0.0.1:${http}/v1/metrics` });
  // The exporter's view of the SDK types, as test/e2e/sdk-fidelity does (the packages' enums are declared apart).
  const sink = exporter as unknown as { export(items: ResourceMetrics, done: (r: ExportResult) => void): void };
  const send = (m: ResourceMetrics) => new Promise<void>((resolve, reject) => {
    sink.export(m, (r: ExportResult) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed'))));
  });
  for (let i = 0; i <= 40; i++) {
    value = i === 40 ? 500 : 20 + (i % 5);
    await send((await reader.collect()).resourceMetrics);
    await new Promise((r) => setTimeout(r, 2)); // distinct event times
  }
  await exporter.shutdown();
  await provider.shutdown();
  t.equal(await daemon.stop(), 0, 'drained and exited');

  const metrics = lines(join(dir, 'metrics.jsonl'));
  t.ok(metrics.every((l) => l.startsWith('{"resourceMetrics"')), 'the metrics exporter saw no events');
  const scores = metrics.join('\n').match(/"vigil\.anomaly\.score"/g) ?? [];
  t.equal(scores.length > 0, true, 'scores were written');
  const events = lines(join(dir, 'events.jsonl'));
  t.equal(events.length, 1, 'one request of events');
  t.match(events[0], /"eventName":"vigil\.anomaly"/);
  t.match(events[0], /"key":"queue","value":\{"stringValue":"orders"\}/, 'with the series identity');
  t.match(events[0], /"key":"value","value":\{"(intValue":"500"|doubleValue":500)\}/, 'and the anomalous value (integral: written as an int, docs/events.md)');
});
