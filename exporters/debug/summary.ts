/** What the debug exporter says about a payload: counts (basic) and one line per item (normal). */
import { forEachSpan, toJson } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';
import { Reader } from '../../pdata/wire.js';

/** otelcol's message for each signal's basic line. */
export const EXPORTER_NAME = { traces: 'TracesExporter', metrics: 'MetricsExporter', logs: 'LogsExporter' } as const;

/** Counts field 1 (resource entries) and, two levels down (scope → field 2), the entries of each. */
function countTree(bytes: Uint8Array): { resources: number; leaves: number } {
  let resources = 0;
  let leaves = 0;
  const r = new Reader(bytes);
  const walk = (end: number, depth: number): void => {
    while (r.pos < end) {
      const tag = r.uint32();
      const want = depth === 0 ? 1 : 2;
      if ((tag >>> 3) !== want || (tag & 7) !== 2) { r.skip(tag & 7); continue; }
      const len = r.uint32();
      const stop = r.pos + len;
      if (depth === 0) resources++;
      if (depth === 2) { leaves++; r.pos = stop; continue; }
      walk(stop, depth + 1);
      r.pos = stop;
    }
  };
  walk(bytes.length, 0);
  return { resources, leaves };
}

/** The basic line's fields, with otelcol's names. */
export function basicFields(payload: Payload): Record<string, number> {
  const { resources, leaves } = countTree(payload.bytes);
  switch (payload.signal) {
    case 'traces': return { 'resource spans': resources, spans: payload.itemCount };
    case 'metrics': return { 'resource metrics': resources, metrics: leaves, 'data points': payload.itemCount };
    case 'logs': return { 'resource logs': resources, 'log records': payload.itemCount };
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument -- OTLP/JSON walked loosely: every value read is optional-chained, defaulted or stringified */
type Json = Record<string, any>;

function serviceOf(resource: Json | undefined): string | undefined {
  const attr = (resource?.attributes as Json[] | undefined)?.find((a) => a.key === 'service.name');
  return attr?.value?.stringValue as string | undefined;
}

const METRIC_TYPES = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

/** One `{fields, msg}` per span, metric or log record. */
export function normalLines(payload: Payload): Array<{ fields: Record<string, unknown>; msg: string }> {
  const lines: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  if (payload.signal === 'traces') {
    forEachSpan(payload, (s) => {
      lines.push({
        fields: {
          service: s.serviceName, trace_id: hex(s.traceId), span_id: hex(s.spanId), kind: s.kind,
          status_code: s.statusCode, duration_ns: String(s.endTimeUnixNano - s.startTimeUnixNano),
        },
        msg: s.name,
      });
    });
    return lines;
  }
  const doc = JSON.parse(toJson(payload)) as Json;
  if (payload.signal === 'metrics') {
    for (const rm of (doc.resourceMetrics ?? []) as Json[]) {
      for (const sm of (rm.scopeMetrics ?? []) as Json[]) {
        for (const m of (sm.metrics ?? []) as Json[]) {
          const type = METRIC_TYPES.find((k) => m[k] !== undefined);
          const points = type ? ((m[type].dataPoints ?? []) as unknown[]).length : 0;
          lines.push({ fields: { service: serviceOf(rm.resource), type, unit: m.unit, data_points: points }, msg: String(m.name ?? '') });
        }
      }
    }
    return lines;
  }
  for (const rl of (doc.resourceLogs ?? []) as Json[]) {
    for (const sl of (rl.scopeLogs ?? []) as Json[]) {
      for (const lr of (sl.logRecords ?? []) as Json[]) {
        const body = lr.body?.stringValue ?? (lr.body === undefined ? '' : JSON.stringify(lr.body));
        lines.push({
          fields: {
            service: serviceOf(rl.resource), severity: lr.severityText ?? lr.severityNumber, event_name: lr.eventName,
            trace_id: lr.traceId, span_id: lr.spanId,
          },
          msg: String(body),
        });
      }
    }
  }
  return lines;
}
