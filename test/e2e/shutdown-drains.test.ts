/**
 * Promise: SIGTERM under load loses nothing that was acknowledged. Clients keep sending while the
 * daemon drains; every span a client got OK for is in the output file after the daemon exits 0.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as TracesGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TracesProto } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Daemon, freePort, tempDir } from '../daemon.js';
import { makeSpans } from './sdk-fixtures.js';

// Both layouts of the memory queue: one thread, or the forwarding thread fed by relayed appends
// (pipeline/forward-thread/relay-log.ts), whose drain follows the main thread's.
for (const forwardThread of [false, true]) t.test(`SIGTERM under load: every acknowledged span is in the output (forward_thread: ${forwardThread})`, async (t) => {
  const [grpcPort, httpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const file = join(tempDir(), 'out.jsonl');
  const daemon = await Daemon.start(`
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${grpcPort} }
      http: { endpoint: 127.0.0.1:${httpPort} }
processors:
  batch: { timeout: 2s, send_batch_size: 100000 }
exporters:
  file: { path: ${file} }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  shutdown_timeout: 10s
  queue: { type: memory, memory: { forward_thread: ${forwardThread} } }
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [file] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));

  const acked = new Set<string>();
  let refused = 0;
  let stopping = false;
  const exporters = [
    new TracesGrpc({ url: `http://127.0.0.1:${grpcPort}`, timeoutMillis: 2000 }),
    new TracesProto({ url: `http://127.0.0.1:${httpPort}/v1/traces`, timeoutMillis: 2000 }),
  ];
  const sendOnce = (exporter: (typeof exporters)[number], spans: ReadableSpan[]): Promise<boolean> =>
    new Promise((resolve) => exporter.export(spans, (r) => resolve(r.code === ExportResultCode.SUCCESS)));
  const client = async (exporter: (typeof exporters)[number]): Promise<void> => {
    // Keep sending until the daemon has refused a few requests after the signal.
    for (let i = 0; i < 2000 && refused < 6; i++) {
      const spans = makeSpans(20);
      if (await sendOnce(exporter, spans)) for (const s of spans) acked.add(s.spanContext().spanId);
      else if (stopping) refused++;
    }
  };
  const clients = [client(exporters[0]!), client(exporters[1]!), client(exporters[0]!), client(exporters[1]!)];
  await new Promise((r) => setTimeout(r, 1500));
  const ackedBeforeSignal = acked.size;
  stopping = true;
  const code = await daemon.stop('SIGTERM');
  await Promise.all(clients);
  await Promise.all(exporters.map((e) => e.shutdown()));

  t.equal(code, 0, 'exits 0 after draining');
  t.ok(ackedBeforeSignal > 500, `clients were sending when the signal came (${ackedBeforeSignal} spans acknowledged)`);
  const written = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    for (const m of line.matchAll(/"spanId":"([0-9a-f]{16})"/g)) written.add(m[1]!);
  }
  const lost = [...acked].filter((id) => !written.has(id));
  t.equal(lost.length, 0, `all ${acked.size} acknowledged spans were written (lost: ${lost.length})`);
});
