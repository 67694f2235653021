/**
 * Promise: two vigil instances chain, over OTLP/gRPC and OTLP/HTTP, as vigil and an OpenTelemetry
 * Collector would: what enters the first comes out of the second unchanged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Daemon, freePort, tempDir } from '../daemon.js';
import { flatten } from '../otlp-compare.js';
import { makeSpans } from './sdk-fixtures.js';

t.test('vigil → vigil over otlp_grpc and otlp_http', async (t) => {
  const ports = await Promise.all(Array.from({ length: 8 }, () => freePort()));
  const [bGrpc, bHttp, bHealth, bMetrics, aHttp, aHealth, aMetrics, aGrpc] = ports as [number, number, number, number, number, number, number, number];
  const file = join(tempDir(), 'b.jsonl');
  const b = await Daemon.start(`
receivers:
  otlp:
    protocols: { grpc: { endpoint: 127.0.0.1:${bGrpc} }, http: { endpoint: 127.0.0.1:${bHttp} } }
exporters:
  file: { path: ${file} }
extensions:
  health_check: { endpoint: 127.0.0.1:${bHealth} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${bMetrics} }, logs: { level: warn } }
  pipelines:
    traces: { receivers: [otlp], exporters: [file] }
`, bHealth);
  t.teardown(() => b.stop('SIGKILL'));
  const a = await Daemon.start(`
receivers:
  otlp:
    protocols: { grpc: { endpoint: 127.0.0.1:${aGrpc} }, http: { endpoint: 127.0.0.1:${aHttp} } }
processors:
  batch: { timeout: 20ms }
exporters:
  otlp:
    endpoint: 127.0.0.1:${bGrpc}
    tls: { insecure: true }
  otlphttp:
    endpoint: http://127.0.0.1:${bHttp}
extensions:
  health_check: { endpoint: 127.0.0.1:${aHealth} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${aMetrics} }, logs: { level: warn } }
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [otlp, otlphttp] }
`, aHealth);
  t.teardown(() => a.stop('SIGKILL'));

  const spans = makeSpans(4);
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${aHttp}/v1/traces` });
  const code = await new Promise((resolve) => exporter.export(spans, (r) => resolve(r.code)));
  t.equal(code, ExportResultCode.SUCCESS);
  await exporter.shutdown();
  t.equal(await a.stop(), 0, 'first instance drained and exited 0');
  t.equal(await b.stop(), 0, 'second instance drained and exited 0');

  const docs = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const got = flatten('traces', docs, (s) => String(s.spanId)).map((i) => JSON.stringify(i.value)).sort();
  const want = flatten('traces', [JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString()) as Record<string, unknown>], (s) => String(s.spanId))
    .map((i) => JSON.stringify(i.value));
  t.same(got, [...want, ...want].sort(), 'every span arrived twice (once per exporter), unchanged');
});
