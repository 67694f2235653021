/** Test material (not used at runtime): traces payloads from a compact description, and trace data for policies. */
import { fromJson, type Payload } from '../../pdata/index.js';
import { indexTraces, runSize, type SpanRun } from '../../pdata/trace-index.js';
import type { TraceData } from './policies.js';
import { resourcesOf } from './trace-view.js';

/** An attribute value as OTLP/JSON writes it, from a JavaScript value (bigint: int, number: double). */
function anyValue(v: string | number | bigint | boolean): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  return { doubleValue: v };
}

const attrs = (a: Record<string, string | number | bigint | boolean> = {}): Array<Record<string, unknown>> =>
  Object.entries(a).map(([key, v]) => ({ key, value: anyValue(v) }));

/** One span of a test trace. Times in ms from T0. */
export interface SpanSpec {
  start?: number;
  end?: number;
  status?: 0 | 1 | 2;
  attributes?: Record<string, string | number | bigint | boolean>;
  traceState?: string;
  flags?: number;
  root?: boolean;
}

/** A fixed event time, so that tests read the same decisions every time. */
export const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);
const nanos = (ms: number): string => (BigInt(T0 + ms) * 1_000_000n).toString();

/** A traces request: the spans of `traceId` under one resource. */
export function tracePayload(traceId: string, spans: readonly SpanSpec[], resource: Record<string, string | number | bigint | boolean> = { 'service.name': 'test' }): Payload {
  const body = {
    resourceSpans: [{
      resource: { attributes: attrs(resource) },
      scopeSpans: [{
        scope: { name: 't' },
        spans: spans.map((s, i) => ({
          traceId, spanId: (i + 1).toString(16).padStart(16, '0'),
          ...(s.root === false || (s.root === undefined && i > 0) ? { parentSpanId: '00000000000000ff' } : {}),
          name: `s${i}`, kind: 1, startTimeUnixNano: nanos(s.start ?? 0), endTimeUnixNano: nanos(s.end ?? 10),
          attributes: attrs(s.attributes), status: { code: s.status ?? 0 },
          ...(s.traceState ? { traceState: s.traceState } : {}), ...(s.flags !== undefined ? { flags: s.flags } : {}),
        })),
      }],
    }],
  };
  const { payload } = fromJson('traces', JSON.stringify(body));
  if (!payload) throw new Error('bad test trace');
  return payload;
}

/** A trace id as hex from a small number. */
export const traceIdHex = (n: number): string => n.toString(16).padStart(32, '0');

/** What a policy sees of these payloads. */
export function traceData(traceId: string, payloads: readonly Payload[], nowMs = 0): TraceData {
  return {
    traceId: Uint8Array.from(Buffer.from(traceId, 'hex')),
    spanCount: payloads.reduce((n, p) => n + p.itemCount, 0),
    sizeBytes: payloads.reduce((n, p) => n + p.bytes.length, 0),
    resources: () => resourcesOf(payloads.map(wholeRun)),
    nowMs,
  };
}

/** Every span of a request, as one run. */
export function wholeRun(payload: Payload): SpanRun {
  const index = indexTraces(payload);
  const spans = Array.from({ length: index.count }, (_, i) => i);
  return { index, spans, sizeBytes: runSize(index, spans) };
}
