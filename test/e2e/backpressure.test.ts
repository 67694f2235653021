/**
 * Promise: when the stage log is full the receivers say so with retryable answers (HTTP 429 with
 * Retry-After, gRPC RESOURCE_EXHAUSTED with RetryInfo), memory stays bounded, and everything that
 * was acknowledged still reaches the exporter once it catches up.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { parsePrometheus } from '../../bench/daemon.js';
import { Daemon, freePort } from '../daemon.js';
import { waitUntil } from '../wait.js';
import { TraceSink } from '../sink.js';
import { makeSpans } from './sdk-fixtures.js';
import { sampleOf } from './refusal-metrics.js';

function post(port: number, body: Uint8Array): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', headers: { 'Content-Type': 'application/x-protobuf' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

// Both layouts of the memory queue: its log on the receivers' thread, or on the forwarding thread
// with every append relayed to it (pipeline/forward-thread/relay-log.ts).
for (const forwardThread of [false, true]) t.test(`a full stage log answers retryably, stays bounded and loses nothing acknowledged (forward_thread: ${forwardThread})`, async (t) => {
  const sink = new TraceSink();
  await sink.start();
  sink.delayMs = 400;
  t.teardown(() => sink.stop());
  const [grpcPort, httpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const daemon = await Daemon.start(`
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${grpcPort} }
      http: { endpoint: 127.0.0.1:${httpPort} }
exporters:
  otlp_grpc:
    endpoint: 127.0.0.1:${sink.port}
    tls: { insecure: true }
    compression: none
    sending_queue: { num_consumers: 2, queue_size: 4 }
    retry_on_failure: { initial_interval: 100ms, max_interval: 500ms }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  queue: { type: memory, memory: { max_size_mib: 2, forward_thread: ${forwardThread} } }
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: error } }
  pipelines:
    traces: { receivers: [otlp], exporters: [otlp_grpc] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));

  // Every request carries new spans, so a span id names exactly one acknowledged request.
  const fresh = (): { spans: string[]; bytes: Uint8Array } => {
    const spans = makeSpans(100);
    return { spans: spans.map((s) => s.spanContext().spanId), bytes: ProtobufTraceSerializer.serializeRequest(spans)! };
  };
  const acked = new Set<string>();
  const statuses = new Map<number, number>();
  let retryAfterSeen = 0;
  let peakRss = 0;
  let peakLogBytes = 0;
  let capacityBytes = 0;
  const until = Date.now() + 3000;
  const sampleMetrics = async (): Promise<void> => {
    while (Date.now() < until) {
      const m = parsePrometheus(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
      peakLogBytes = Math.max(peakLogBytes, m.get('vigil_stage_log_size_bytes') ?? 0);
      capacityBytes = m.get('vigil_stage_log_capacity_bytes') ?? 0;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await Promise.all([sampleMetrics(), ...Array.from({ length: 8 }, async () => {
    while (Date.now() < until) {
      const body = fresh();
      const { status, retryAfter } = await post(httpPort, body.bytes);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 200) for (const id of body.spans) acked.add(id);
      if (status === 429 && retryAfter && Number(retryAfter) >= 1) retryAfterSeen++;
      peakRss = Math.max(peakRss, rssMiB(daemon.pid));
    }
  })]);
  t.ok((statuses.get(429) ?? 0) > 0, `HTTP clients were told 429 (${JSON.stringify([...statuses])})`);
  t.equal(retryAfterSeen, statuses.get(429), 'every 429 carried Retry-After');
  t.notOk([...statuses.keys()].some((s) => s !== 200 && s !== 429), 'no other status than 200 and 429');
  t.ok(peakLogBytes > capacityBytes / 2 && peakLogBytes <= capacityBytes, `the stage log filled up but never held more than its capacity (peak ${peakLogBytes} of ${capacityBytes} bytes)`);
  // RSS also counts garbage V8 has not collected yet, so it only guards against gross growth; the
  // log's own bytes above are the exact bound.
  t.ok(peakRss < 320, `daemon RSS stayed bounded (peak ${peakRss.toFixed(0)} MiB)`);

  // gRPC sees RESOURCE_EXHAUSTED with RetryInfo while the log is still full.
  const client = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
  const raw = (b: Buffer): Buffer => b;
  const grpcOutcome = await new Promise<grpc.ServiceError | null>((resolve) => {
    const attempt = (n: number): void => {
      const body = fresh();
      client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', raw, raw, Buffer.from(body.bytes), (err) => {
        if (err || n >= 50) resolve(err);
        else {
          for (const id of body.spans) acked.add(id);
          attempt(n + 1);
        }
      });
    };
    attempt(0);
  });
  client.close();
  t.equal(grpcOutcome?.code, grpc.status.RESOURCE_EXHAUSTED, 'gRPC clients are told RESOURCE_EXHAUSTED');
  t.ok(grpcOutcome?.metadata.get('grpc-status-details-bin').length, 'with google.rpc.Status details (RetryInfo)');

  // Every refusal is in the self-metrics, by transport and reason, though none was decoded.
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const refused = (transport: string): number => sampleOf(text, 'vigil_receiver_refused_requests_total', { receiver: 'otlp', transport, otel_signal: 'traces', reason: 'queue_full' });
  t.equal(refused('http'), statuses.get(429) ?? 0, `every HTTP 429 counted as a refused request (${refused('http')})`);
  t.equal(refused('grpc'), grpcOutcome?.code === grpc.status.RESOURCE_EXHAUSTED ? 1 : 0, 'the RESOURCE_EXHAUSTED call too');
  const refusedBytes = sampleOf(text, 'vigil_receiver_refused_bytes_total', { reason: 'queue_full' });
  t.ok(refusedBytes > (refused('http') + 1) * 1000, `with their bytes (${refusedBytes})`);
  t.equal(sampleOf(text, 'vigil_receiver_refused_requests_total'), refused('http') + 1, 'no refusal for another reason');

  sink.delayMs = 0;
  await waitUntil(() => [...acked].every((id) => sink.spanIds.has(id)), 20_000, 100);
  const lost = [...acked].filter((id) => !sink.spanIds.has(id));
  t.equal(lost.length, 0, `all ${acked.size} acknowledged spans reached the exporter's destination`);
  t.equal(await daemon.stop(), 0);
});

t.test('memory_limiter refusals are counted by reason, in items, requests and bytes', async (t) => {
  const [httpPort, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  // A limit no node process stays under: every request is refused, after it was decoded.
  const daemon = await Daemon.start(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${httpPort} }
processors:
  memory_limiter: { check_interval: 100ms, limit_mib: 2, spike_limit_mib: 1 }
exporters:
  debug: {}
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: error } }
  pipelines:
    traces: { receivers: [otlp], processors: [memory_limiter], exporters: [debug] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));
  let bytes = 0;
  for (let i = 0; i < 5; i++) {
    const body = ProtobufTraceSerializer.serializeRequest(makeSpans(10))!; // 10 roots, each with a child: 20 spans
    bytes += body.byteLength;
    t.equal((await post(httpPort, body)).status, 503, 'refused with 503');
  }
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const labels = { receiver: 'otlp', transport: 'http', otel_signal: 'traces', reason: 'memory_limit' };
  t.equal(sampleOf(text, 'vigil_receiver_refused_requests_total', labels), 5, 'five refused requests, reason memory_limit');
  t.equal(sampleOf(text, 'vigil_receiver_refused_bytes_total', labels), bytes, 'their bytes');
  t.equal(sampleOf(text, 'otelcol_receiver_refused_spans_total', { receiver: 'otlp', transport: 'http' }), 100, 'decoded, so their spans are in otelcol_receiver_refused_spans_total');
  t.equal(sampleOf(text, 'otelcol_receiver_accepted_spans_total'), 0, 'none accepted');
  t.equal(await daemon.stop(), 0);
});
