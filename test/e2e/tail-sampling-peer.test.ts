/**
 * Promise (issue 10): tail_sampling keeps the same traces as the real OpenTelemetry Collector. The
 * same SDK traces (varied status, duration, attributes, trace state, size) go to the otelcol peer
 * and to the vigil daemon (memory queue), both with the same otelcol tail_sampling config of
 * deterministic policies; the sets of trace ids that reach each one's sink must be equal, and every
 * kept trace whole.
 */
import t, { type Test } from 'tap';
import { context, createTraceState, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { Daemon, freePort } from '../daemon.js';
import { Peer, requirePeer } from '../peer.js';
import { TraceSink } from '../sink.js';
import { waitFor } from '../wait.js';

const TRACES = 400;

/** A small deterministic PRNG (mulberry32), so a failure can be reproduced. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** SDK spans of TRACES traces whose traits each policy below picks out in a few percent of traces. */
function makeTraces(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop', 'deployment.environment': 'test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('tail-sampling-peer-test');
  const rnd = prng(20261126);
  const now = Date.now();
  for (let i = 0; i < TRACES; i++) {
    const route = rnd() < 0.05 ? '/checkout' : rnd() < 0.1 ? '/health' : '/cart';
    const durationMs = rnd() < 0.06 ? 500 + Math.floor(rnd() * 1000) : Math.floor(rnd() * 400);
    const start = now - 2_000 + i;
    const parent = rnd() < 0.05
      ? trace.setSpanContext(context.active(), { traceId: randomHex(rnd, 32), spanId: randomHex(rnd, 16), traceFlags: TraceFlags.SAMPLED, traceState: createTraceState('vendor=keep,other=1'), isRemote: true })
      : context.active();
    const root = tracer.startSpan(`GET ${route}`, {
      startTime: start,
      attributes: { 'http.route': route, 'http.status_code': rnd() < 0.05 ? 503 : 200, ...(rnd() < 0.04 ? { debug: true } : {}), 'user.tier': rnd() < 0.1 ? 'gold' : 'free' },
    }, parent);
    const children = rnd() < 0.08 ? 6 + Math.floor(rnd() * 3) : Math.floor(rnd() * 4);
    for (let c = 0; c < children; c++) {
      const child = tracer.startSpan(`db ${c}`, { startTime: start + c }, trace.setSpan(context.active(), root));
      if (rnd() < 0.02) child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      child.end(start + c + 1);
    }
    if (rnd() < 0.03) root.setStatus({ code: SpanStatusCode.ERROR });
    root.end(start + durationMs);
  }
  return memory.getFinishedSpans();
}

function randomHex(rnd: () => number, digits: number): string {
  let s = '';
  while (s.length < digits) s += Math.floor(rnd() * 16).toString(16);
  return s.replace(/^0/, '1');
}

/** The tail_sampling configs both get, as otelcol reads them. */
const BASIC = `
    decision_wait: 2s
    num_traces: 10000
    policies:
      - { name: drop-health, type: drop, drop: { drop_sub_policy: [ { name: health, type: string_attribute, string_attribute: { key: http.route, values: [/health] } } ] } }
      - { name: errors, type: status_code, status_code: { status_codes: [ERROR] } }
      - { name: slow, type: latency, latency: { threshold_ms: 500 } }
      - { name: some, type: probabilistic, probabilistic: { hash_salt: vigil-peer, sampling_percentage: 10 } }
      - { name: checkout, type: string_attribute, string_attribute: { key: http.route, values: ['^/check'], enabled_regex_matching: true } }
      - { name: server-errors, type: numeric_attribute, numeric_attribute: { key: http.status_code, min_value: 500, max_value: 599 } }
      - { name: debug, type: boolean_attribute, boolean_attribute: { key: debug, value: true } }
      - { name: big, type: span_count, span_count: { min_spans: 7 } }
      - { name: vendor, type: trace_state, trace_state: { key: vendor, values: [keep] } }
      - name: gold-not-cart
        type: and
        and:
          and_sub_policy:
            - { name: gold, type: string_attribute, string_attribute: { key: user.tier, values: [gold] } }
            - { name: not-cart, type: not, not: { not_sub_policy: { name: cart, type: string_attribute, string_attribute: { key: http.route, values: [/cart] } } } }
            - { name: flagged, type: trace_flags }
`;

/** Inverted matches, upper bounds, top-level not, composite, sample_on_first_match, the root wait. */
const INVERTED = `
    decision_wait: 3s
    decision_wait_after_root_received: 1s
    sample_on_first_match: true
    decision_cache: { sampled_cache_size: 1000, non_sampled_cache_size: 1000 }
    policies:
      - name: mid-and-some
        type: and
        and:
          and_sub_policy:
            - { name: mid, type: latency, latency: { threshold_ms: 100, upper_threshold_ms: 300 } }
            - { name: fifth, type: probabilistic, probabilistic: { sampling_percentage: 20 } }
      - { name: not-free, type: not, not: { not_sub_policy: { name: free, type: string_attribute, string_attribute: { key: user.tier, values: [free] } } } }
      - { name: not-200, type: numeric_attribute, numeric_attribute: { key: http.status_code, min_value: 200, max_value: 200, invert_match: true } }
      - name: odd-route-no-debug
        type: and
        and:
          and_sub_policy:
            - { name: not-cart-health, type: string_attribute, string_attribute: { key: http.route, values: [/cart, /health], invert_match: true } }
            - { name: no-debug, type: boolean_attribute, boolean_attribute: { key: debug, value: true, invert_match: true } }
      - name: four-and-fast
        type: and
        and:
          and_sub_policy:
            - { name: four, type: span_count, span_count: { min_spans: 4, max_spans: 4 } }
            - { name: not-slow, type: not, not: { not_sub_policy: { name: slow, type: latency, latency: { threshold_ms: 200 } } } }
      - name: budget
        type: composite
        composite:
          max_total_spans_per_second: 100000
          policy_order: [c-errors, c-vendor]
          composite_sub_policy:
            - { name: c-errors, type: status_code, status_code: { status_codes: [ERROR] } }
            - { name: c-vendor, type: trace_state, trace_state: { key: vendor, values: [keep] } }
          rate_allocation:
            - { policy: c-errors, percent: 50 }
            - { policy: c-vendor, percent: 50 }
      - { name: plenty, type: rate_limiting, rate_limiting: { spans_per_second: 0 } }
`;

async function send(url: string, spans: ReadableSpan[]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url });
  await new Promise<void>((resolve, reject) => exporter.export(spans, (r) =>
    (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))));
  await exporter.shutdown();
}

/** Trace ids whose spans reached the sink, and whether each arrived whole. */
function kept(sink: TraceSink, spans: readonly ReadableSpan[]): { traces: string[]; partial: string[] } {
  const byTrace = new Map<string, string[]>();
  for (const s of spans) {
    const list = byTrace.get(s.spanContext().traceId) ?? [];
    list.push(s.spanContext().spanId);
    byTrace.set(s.spanContext().traceId, list);
  }
  const traces: string[] = [];
  const partial: string[] = [];
  for (const [id, spanIds] of byTrace) {
    const got = spanIds.filter((s) => sink.spanIds.has(s)).length;
    if (got > 0) traces.push(id);
    if (got > 0 && got < spanIds.length) partial.push(id);
  }
  return { traces: traces.sort(), partial };
}

/** Waits until the sink's span count stopped changing for `quietMs`. */
async function settled(sink: TraceSink, quietMs: number): Promise<void> {
  let last = -1;
  let since = Date.now();
  await waitFor('the sink to settle', () => {
    if (sink.spans !== last) { last = sink.spans; since = Date.now(); }
    return sink.spans > 0 && Date.now() - since >= quietMs;
  }, 90_000, 100);
}

/** Runs the SDK's traces through the peer and the daemon, both with `tailSampling`, and compares what each kept. */
async function compareWithPeer(t: Test, tailSampling: string, keptRange: [number, number]): Promise<void> {
  const peerBin = await requirePeer(t);
  if (!peerBin) return;
  const [peerSink, vigilSink] = [new TraceSink(), new TraceSink()];
  await peerSink.start();
  await vigilSink.start();
  t.teardown(() => { peerSink.stop(); vigilSink.stop(); });
  const [peerHttp, vigilHttp, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  await Peer.start(t, peerBin, `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${peerHttp} } } }
processors:
  tail_sampling:${tailSampling}
exporters:
  otlp_grpc: { endpoint: 127.0.0.1:${peerSink.port}, tls: { insecure: true } }
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [otlp], processors: [tail_sampling], exporters: [otlp_grpc] }
`);
  const daemon = await Daemon.start(`
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${vigilHttp} } } }
processors:
  tail_sampling:${tailSampling}
exporters:
  otlp_grpc: { endpoint: 127.0.0.1:${vigilSink.port}, tls: { insecure: true } }
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  pipelines:
    traces: { receivers: [otlp], processors: [tail_sampling], exporters: [otlp_grpc] }
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));

  const spans = makeTraces();
  await Promise.all([send(`http://127.0.0.1:${peerHttp}/v1/traces`, spans), send(`http://127.0.0.1:${vigilHttp}/v1/traces`, spans)]);
  await Promise.all([settled(peerSink, 5_000), settled(vigilSink, 5_000)]);

  const peer = kept(peerSink, spans);
  const vigil = kept(vigilSink, spans);
  const both = vigil.traces.filter((id) => peer.traces.includes(id)).length;
  t.comment(`${TRACES} traces: otelcol kept ${peer.traces.length}, vigil kept ${vigil.traces.length}, ${both} in both`);
  t.ok(peer.traces.length > TRACES * keptRange[0] && peer.traces.length < TRACES * keptRange[1], 'the policies keep some traces and not others');
  t.same(vigil.traces, peer.traces, 'the same trace ids kept');
  t.same(vigil.partial, [], 'every trace vigil kept is whole');

  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  t.match(metrics, new RegExp(`otelcol_processor_tail_sampling_global_count_traces_sampled_total\\{[^}]*decision="sampled"[^}]*\\} ${vigil.traces.length}\\b`), 'the sampled traces are counted');
  t.match(metrics, /otelcol_processor_tail_sampling_count_traces_sampled_total\{[^}]*policy=/, 'per policy');
  t.equal(await daemon.stop(), 0, 'vigil exits cleanly');
}

t.test('vigil and otelcol keep the same traces: drop, status, latency, probabilistic, regex, numeric, boolean, span count, trace state, and/not/flags', async (t) => {
  await compareWithPeer(t, BASIC, [0.1, 0.8]);
});

t.test('vigil and otelcol keep the same traces: inverted matches, upper bounds, not, composite, sample_on_first_match, root wait', async (t) => {
  await compareWithPeer(t, INVERTED, [0.1, 0.9]);
});
