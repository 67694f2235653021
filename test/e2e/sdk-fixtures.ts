/**
 * Telemetry produced by the OpenTelemetry JS SDK itself, with every field the SDK can set:
 * spans with all attribute types, events, links, trace state, status, dropped counts; every metric
 * instrument (monotonic and non-monotonic sums, gauge, histogram, exponential histogram) in both
 * temporalities; log records with kvlist and bytes values.
 */
import { context, createTraceState, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { type AggregationTemporality, AggregationType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';

const RESOURCE = {
  'service.name': 'checkout',
  'service.version': '1.4.2',
  'deployment.environment': 'test',
  'host.name': 'node-7',
  'process.pid': 4242,
  'k8s.pod.uid': 'c0ffee',
  'cloud.region': 'eu-west-1',
  'telemetry.sdk.language': 'nodejs',
};

/** Finished spans from the SDK, `count` root spans each with a child. */
export function makeSpans(count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(RESOURCE),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
    spanLimits: { attributeCountLimit: 12, eventCountLimit: 3, linkCountLimit: 2 },
  });
  const tracer = provider.getTracer('fidelity-test', '2.0.1', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
  const remote = trace.setSpanContext(context.active(), {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    traceFlags: TraceFlags.SAMPLED,
    traceState: createTraceState('vendor1=value1,vendor2=value2'),
    isRemote: true,
  });
  for (let i = 0; i < count; i++) {
    const parentCtx = i === 0 ? remote : context.active();
    const root = tracer.startSpan(`GET /cart/${i}`, {
      kind: SpanKind.SERVER,
      startTime: [1700000000, 123456789 + i],
      attributes: {
        'http.method': 'GET', 'http.status_code': 200 + i, 'http.ok': true, 'load.ratio': 0.25 + i,
        'tags': ['a', 'b'], 'ports': [80, 443], 'flags': [true, false], 'weights': [1.5, 2.5],
        'empty': '', 'unicode': 'Grüße, 世界 ✓', 'quote': 'say "hi"\n\\',
      },
      links: [
        { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, traceState: createTraceState('k=v') }, attributes: { 'link.kind': 'follows' } },
        { context: { traceId: '0af7651916cd43dd8448eb211c80319d', spanId: 'b7ad6b7169203332', traceFlags: 0 } },
        { context: { traceId: '0af7651916cd43dd8448eb211c80319e', spanId: 'b7ad6b7169203333', traceFlags: 0 } },
      ],
    }, parentCtx);
    for (let a = 0; a < 4; a++) root.setAttribute(`extra.${a}`, a); // past the limit: dropped and counted
    root.addEvent('cache.miss', { 'cache.key': `cart:${i}` }, [1700000000, 223456789]);
    root.addEvent('retry', { attempt: 2 }, [1700000000, 323456789]);
    for (let e = 0; e < 3; e++) root.addEvent(`overflow.${e}`); // past the event limit
    const child = tracer.startSpan('SELECT cart', { kind: SpanKind.CLIENT, startTime: [1700000000, 400000000] }, trace.setSpan(context.active(), root));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock detected' });
    child.recordException(new Error('boom'));
    child.end([1700000000, 500000000]);
    root.setStatus({ code: SpanStatusCode.OK });
    root.end([1700000001, 123456789]);
  }
  return memory.getFinishedSpans();
}

/** A reader we collect from on demand. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** One collection of every instrument type, with the given temporality. */
export async function makeMetrics(temporality: AggregationTemporality): Promise<ResourceMetrics> {
  const reader = new OnDemandReader({ aggregationTemporalitySelector: () => temporality });
  const provider = new MeterProvider({
    resource: resourceFromAttributes(RESOURCE),
    readers: [reader],
    views: [{ instrumentName: 'payload.size.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('fidelity-test', '2.0.1', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
  const requests = meter.createCounter('http.requests', { unit: '{request}', description: 'Requests served' });
  const inflight = meter.createUpDownCounter('http.inflight', { description: 'In-flight requests' });
  const temp = meter.createGauge('cpu.temperature', { unit: 'Cel' });
  const latency = meter.createHistogram('http.latency', { unit: 'ms', advice: { explicitBucketBoundaries: [5, 10, 25, 50, 100] } });
  const sizes = meter.createHistogram('payload.size.exp', { unit: 'By' });
  meter.createObservableGauge('queue.depth').addCallback((r) => r.observe(17, { queue: 'orders' }));
  for (let i = 0; i < 20; i++) {
    const attrs = { route: i % 2 ? '/cart' : '/pay', code: 200 + (i % 3) };
    requests.add(i + 1, attrs);
    inflight.add(i % 2 ? 1 : -1, attrs);
    temp.record(40 + i / 4, { core: i % 4 });
    latency.record(i * 7.5, attrs);
    sizes.record(2 ** (i % 12) + i, attrs);
  }
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

/** Log records with every AnyValue type, including kvlist and bytes. */
export function makeLogs(count: number): ReadableLogRecord[] {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes(RESOURCE), processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  const logger = provider.getLogger('fidelity-test', '2.0.1', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
  const spanCtx = trace.setSpanContext(context.active(), { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', traceFlags: 1 });
  for (let i = 0; i < count; i++) {
    logger.emit({
      timestamp: [1700000000, 123456789 + i],
      observedTimestamp: [1700000000, 223456789],
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: { message: `payment retry ${i}`, nested: { depth: [1, 'two', { three: true }] }, raw: new Uint8Array([0, 1, 2, 254, 255]) },
      attributes: { seq: i, 'user.id': 'u-1', ratio: 0.5, ok: false, ids: [1, 2, 3], blob: new Uint8Array([9, 8, 7]), ctx: { tenant: 'acme', tier: 3 } },
      context: i % 2 ? spanCtx : context.active(),
      eventName: i === 0 ? 'payment.retry' : undefined,
    });
  }
  return memory.getFinishedLogRecords();
}
