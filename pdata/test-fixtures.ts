/**
 * Test material for the codec's tests (not used at runtime): SDK-shaped spans, metrics and log
 * records carrying every field and attribute value type, and a hand-written OTLP/JSON metrics
 * request with what the JS SDK cannot produce (summary, exemplars, flags, entity refs).
 */
import { createTraceState } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

const RESOURCE = resourceFromAttributes({
  'service.name': 'checkout', 'service.version': '1.4.2', 'host.name': 'node-7', 'process.pid': 4242,
  'deployment.environment': 'test', 'cloud.region': 'eu-west-1', 'k8s.pod.uid': 'c0ffee', 'telemetry.sdk.language': 'nodejs',
});

/** Every AnyValue type; objects become kvlists and Uint8Arrays bytes in the transformer. */
export const ALL_ATTRIBUTES: Record<string, unknown> = {
  str: 'GET', empty: '', unicode: 'Grüße, 世界 ✓', quote: 'say "hi"\n\\\u0001', int: 200, big: 9007199254740991,
  neg: -42, double: 0.25, bool: true, no: false, strs: ['a', 'b'], ints: [80, 443], mixed: [1, 'two', true, 2.5],
  bytes: new Uint8Array([0, 1, 2, 254, 255]), kv: { tenant: 'acme', tier: 3, nested: { deep: [1, { x: 'y' }] } },
};

// Shared objects: the transformer's protobuf serializer groups scopes by identity, its JSON one by value.
const SCOPE = { name: 'fidelity-test', version: '2.0.1', schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' };
const OTHER_SCOPE = { name: 'other-scope' };

const hr = (s: number, ns: number): [number, number] => [s, ns];

/** `count` spans over `count / 3` traces and two scopes, with every field the transformer writes. */
export function makeSdkSpans(count = 9): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  for (let i = 0; i < count; i++) {
    const traceId = `5b8efff798038103d269b633813fc6${(10 + Math.floor(i / 3)).toString(16).padStart(2, '0')}`;
    const spanId = `eee19b7ec3c1b1${(16 + i).toString(16).padStart(2, '0')}`;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- a fixture with plain numbers for the SDK's enums; the cast says it is one
    spans.push({
      name: `GET /cart/${i}`,
      kind: i % 5,
      spanContext: () => ({ traceId, spanId, traceFlags: i % 2, traceState: i === 0 ? createTraceState('vendor1=value1,vendor2=value2') : undefined }),
      parentSpanContext: i % 3 === 0 ? undefined : { traceId, spanId: 'eee19b7ec3c1b174', traceFlags: 1, isRemote: i % 3 === 2 },
      startTime: hr(1700000000, 123456789 + i),
      endTime: hr(1700000001, 123456789),
      status: i % 3 === 0 ? { code: 2, message: 'deadlock detected' } : { code: i % 3 },
      attributes: { ...ALL_ATTRIBUTES, seq: i } as ReadableSpan['attributes'],
      links: i % 2 ? [] : [
        { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, traceState: createTraceState('k=v'), isRemote: true },
          attributes: { 'link.kind': 'follows' }, droppedAttributesCount: 2 },
        { context: { traceId: '0af7651916cd43dd8448eb211c80319d', spanId: 'b7ad6b7169203332', traceFlags: 0 } },
      ],
      events: [
        { name: 'cache.miss', attributes: { 'cache.key': `cart:${i}` }, time: hr(1700000000, 223456789), droppedAttributesCount: 1 },
        { name: 'retry', time: hr(1700000000, 323456789) },
      ],
      duration: hr(1, 0),
      ended: true,
      resource: RESOURCE,
      instrumentationScope: i % 2 ? SCOPE : OTHER_SCOPE,
      droppedAttributesCount: i,
      droppedEventsCount: 3,
      droppedLinksCount: i % 2,
    } as unknown as ReadableSpan);
  }
  return spans;
}

const dp = (value: unknown, i: number, attrs: Record<string, unknown> = { route: i % 2 ? '/cart' : '/pay', code: 200 + i }) => ({
  startTime: hr(1700000000, 123456789), endTime: hr(1700000010, 123456789 + i), attributes: attrs, value,
});

/** One ResourceMetrics with a monotonic and a non-monotonic sum, a gauge, a histogram and an exponential histogram. */
export function makeSdkMetrics(temporality: 0 | 1): ResourceMetrics {
  const metric = (name: string, dataPointType: number, dataPoints: unknown[], extra: object = {}) => ({
    descriptor: { name, description: `${name} described`, unit: 'ms', valueType: 1 },
    dataPointType, aggregationTemporality: temporality, dataPoints, ...extra,
  });
  return {
    resource: RESOURCE,
    scopeMetrics: [{
      scope: { name: 'fidelity-test', version: '2.0.1', schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
      metrics: [
        metric('http.requests', 3, [dp(10, 0), dp(20, 1)], { isMonotonic: true }),
        metric('http.inflight', 3, [dp(-3, 0), dp(2.5, 1)], { isMonotonic: false }),
        metric('cpu.temperature', 2, [dp(41.25, 0, { core: 0 }), dp(9007199254740991, 1, {})]),
        metric('http.latency', 0, [dp({ buckets: { boundaries: [5, 10, 25], counts: [1, 0, 3, 2] }, sum: 123.5, count: 6, min: 0.5, max: 80 }, 0)]),
        metric('payload.size', 1, [dp({ count: 7, sum: 300, min: 1, max: 200, scale: 3, zeroCount: 1,
          positive: { offset: -2, bucketCounts: [1, 2, 0, 3] }, negative: { offset: 0, bucketCounts: [] } }, 0)]),
      ],
    }],
  } as unknown as ResourceMetrics;
}

/** Log records with every body and attribute type, trace context on some, an event name on one. */
export function makeSdkLogs(count = 4): ReadableLogRecord[] {
  const logs: ReadableLogRecord[] = [];
  for (let i = 0; i < count; i++) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- a fixture with plain numbers for the SDK's enums; the cast says it is one
    logs.push({
      hrTime: hr(1700000000, 123456789 + i),
      hrTimeObserved: hr(1700000000, 223456789),
      severityNumber: 13, severityText: 'WARN',
      body: i % 2 ? `payment retry ${i}` : { message: `payment retry ${i}`, nested: { depth: [1, 'two', { three: true }] }, raw: new Uint8Array([0, 1, 255]) },
      attributes: { ...ALL_ATTRIBUTES, seq: i },
      droppedAttributesCount: i,
      spanContext: i % 2 ? { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', traceFlags: 1 } : undefined,
      resource: RESOURCE,
      instrumentationScope: SCOPE,
      eventName: i === 0 ? 'payment.retry' : undefined,
    } as unknown as ReadableLogRecord);
  }
  return logs;
}

/** An OTLP/JSON metrics request with a summary, exemplars, flags, NaN/Infinity and entity refs. */
export const FULL_METRICS_JSON = {
  resourceMetrics: [{
    resource: {
      attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }], droppedAttributesCount: 2,
      entityRefs: [{ schemaUrl: 's', type: 'service', idKeys: ['service.name'], descriptionKeys: ['service.version'] }],
    },
    schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
    scopeMetrics: [{
      scope: { name: 'hand', version: '1', attributes: [{ key: 'a', value: { intValue: '-9007199254740993' } }], droppedAttributesCount: 1 },
      schemaUrl: 'https://example.com/scope',
      metrics: [
        { name: 'rpc.latency', description: 'd', unit: 's', metadata: [{ key: 'm', value: { boolValue: true } }],
          summary: { dataPoints: [{ attributes: [{ key: 'q', value: { doubleValue: 0.5 } }], startTimeUnixNano: '1700000000123456789',
            timeUnixNano: '1700000010123456789', count: '18446744073709551615', sum: 12.5, flags: 1,
            quantileValues: [{ quantile: 0, value: 0.1 }, { quantile: 0.99, value: 'Infinity' }, { quantile: 1, value: 'NaN' }] }] } },
        { name: 'jobs', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: '1700000010123456789', asInt: '-5',
          exemplars: [{ filteredAttributes: [{ key: 'user', value: { stringValue: 'u1' } }], timeUnixNano: '1700000005000000001', asInt: '9007199254740993',
            spanId: 'eee19b7ec3c1b174', traceId: '5b8efff798038103d269b633813fc60c' }, { asDouble: 0, timeUnixNano: '1' }] }] } },
        { name: 'size', histogram: { aggregationTemporality: 1, dataPoints: [{ count: '3', sum: 0, bucketCounts: ['1', '2'], explicitBounds: [1.5],
          min: 0, max: 3, exemplars: [{ asDouble: -1.5, timeUnixNano: '2' }] }] } },
        { name: 'exp', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ count: '4', scale: -3, zeroCount: '1', zeroThreshold: 1e-9,
          positive: { offset: -4, bucketCounts: ['1', '0', '2'] }, negative: { offset: 7, bucketCounts: ['0'] }, flags: 1,
          exemplars: [{ asInt: '1', spanId: 'eee19b7ec3c1b175', traceId: '5b8efff798038103d269b633813fc60d' }] }] } },
        { name: 'gauge', gauge: { dataPoints: [{ asDouble: 0 }, { asDouble: '-Infinity' }, { asInt: '0' }] } },
      ],
    }],
  }],
};
