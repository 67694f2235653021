/**
 * Deterministic span traffic from the OpenTelemetry JS SDK for span_metrics tests: two services
 * (three resources), server and client spans, errors, events, attributes present and missing, a
 * sampled share with an `ot=th:` threshold, and durations on and around every default bucket bound
 * and power of two (the exponential histogram's bucket boundaries).
 */
import { context, createTraceState, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { decodeProtobuf, type Payload } from '../../pdata/index.js';

/** Durations in milliseconds, drawn from in turn. */
export const DURATIONS_MS = [
  0, 0.001, 0.5, 1, 1.999, 2, 2.000001, 3, 4, 5, 6, 7.5, 8, 10, 10.5, 16, 32, 50, 64, 99.9, 100, 128, 150, 200, 256,
  400, 512, 800, 1000, 1024, 1399, 1400, 2000, 2048, 4096, 5000, 8192, 10_000, 12_345, 15_000, 16_384, 30_000,
];

const RESOURCES = [
  { 'service.name': 'checkout', 'host.name': 'node-1', 'deployment.environment': 'test' },
  { 'service.name': 'checkout', 'host.name': 'node-2', 'deployment.environment': 'test' },
  { 'service.name': 'payments', 'host.name': 'node-3' },
];
const ROUTES = ['GET /cart', 'POST /pay', 'GET /health'];
const METHODS = ['GET', 'POST', undefined];
const STATUS = [200, 201, 404, 500];

/** A small deterministic generator (a 32-bit LCG), so both collectors get the very same spans. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

const at = (baseS: number, ms: number): [number, number] => {
  const ns = Math.round(ms * 1e6);
  return [baseS + Math.floor(ns / 1e9), ns % 1e9];
};

/** `traces` traces of a server span with a client child; every 7th is sampled at 1/4 (`ot=th:c`). */
export function makeTraffic(traces: number, seed = 1): ReadableSpan[] {
  const next = lcg(seed);
  const memory = new InMemorySpanExporter();
  const providers = RESOURCES.map((r) => new TracerProvider({ resource: resourceFromAttributes(r), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] }));
  for (let i = 0; i < traces; i++) {
    const tracer = providers[next() % providers.length]!.getTracer('shop', '1.2.3');
    const base = 1_700_000_000 + i;
    const parent = i % 7 === 0
      ? trace.setSpanContext(context.active(), {
        traceId: (next().toString(16).padStart(8, '0') + i.toString(16).padStart(24, '0')).slice(0, 32),
        spanId: next().toString(16).padStart(16, '0').slice(0, 16),
        traceFlags: TraceFlags.SAMPLED, traceState: createTraceState('ot=th:c'), isRemote: true,
      })
      : context.active();
    const method = METHODS[next() % METHODS.length];
    const status = STATUS[next() % STATUS.length]!;
    const rootMs = DURATIONS_MS[next() % DURATIONS_MS.length]!;
    const root = tracer.startSpan(ROUTES[next() % ROUTES.length]!, {
      kind: SpanKind.SERVER, startTime: at(base, 0),
      attributes: { ...(method ? { 'http.method': method } : {}), 'http.status_code': status },
    }, parent);
    if (status === 500) {
      root.setStatus({ code: SpanStatusCode.ERROR });
      root.addEvent('exception', { 'exception.type': next() % 2 === 0 ? 'Timeout' : 'Deadlock' }, at(base, 1));
    } else if (status === 201) {
      root.setStatus({ code: SpanStatusCode.OK });
    }
    const childMs = DURATIONS_MS[next() % DURATIONS_MS.length]!;
    const child = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, startTime: at(base, 0), attributes: { 'db.system': 'postgresql' } },
      trace.setSpan(parent, root));
    if (next() % 5 === 0) child.setStatus({ code: SpanStatusCode.ERROR });
    child.end(at(base, childMs));
    root.end(at(base, rootMs));
  }
  return memory.getFinishedSpans();
}

/** The spans as one OTLP/protobuf traces request payload. */
export function trafficPayload(spans: ReadableSpan[]): Payload {
  const { payload } = decodeProtobuf('traces', ProtobufTraceSerializer.serializeRequest(spans)!);
  if (!payload) throw new Error('the SDK request did not decode');
  return payload;
}
