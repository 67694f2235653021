/** Test material for processor tests (not used at runtime): payloads with chosen ids, and item listing. */
import { randomBytes } from 'node:crypto';
import { forEachSpan, fromJson, toJson } from '../../pdata/index.js';
import type { Payload } from '../../pdata/payload.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A random 16-byte trace id as hex. */
export const randomTraceId = (): string => randomBytes(16).toString('hex');

/** A traces payload with one span per trace id (span names `s<n>` numbered from `first`), under two resources. */
export function spansPayload(traceIds: readonly string[], first = 0): Payload {
  const spans = traceIds.map((traceId, i) => ({
    traceId, spanId: randomBytes(8).toString('hex'), name: `s${first + i}`, kind: 1,
    startTimeUnixNano: '1700000000123456789', endTimeUnixNano: '1700000000223456789',
  }));
  const half = Math.ceil(spans.length / 2);
  const body = {
    resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }] }, scopeSpans: [{ scope: { name: 't' }, spans: spans.slice(0, half) }] },
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'b' } }] }, scopeSpans: [{ scope: { name: 't' }, spans: spans.slice(half) }] },
    ].filter((r) => r.scopeSpans[0]!.spans.length > 0),
  };
  return fromJson('traces', JSON.stringify(body)).payload!;
}

/** A traces payload of `count` spans with random trace ids, named from `first`. */
export const randomSpans = (count: number, first = 0): Payload =>
  spansPayload(Array.from({ length: count }, randomTraceId), first);

/** A logs payload: one record per entry, with that trace id (or none when undefined), body `l<n>`. */
export function logsPayload(traceIds: ReadonlyArray<string | undefined>): Payload {
  const logRecords = traceIds.map((traceId, i) => ({
    timeUnixNano: '1700000000123456789', body: { stringValue: `l${i}` }, ...(traceId ? { traceId } : {}),
  }));
  return fromJson('logs', JSON.stringify({ resourceLogs: [{ resource: {}, scopeLogs: [{ scope: { name: 't' }, logRecords }] }] })).payload!;
}

/** The names of every span in the payloads, in order. */
export function spanNames(payloads: readonly Payload[]): string[] {
  const names: string[] = [];
  for (const p of payloads) forEachSpan(p, (s) => names.push(s.name));
  return names;
}

/** The trace ids (hex) of every span in the payload, in order. */
export function spanTraceIds(payload: Payload): string[] {
  const ids: string[] = [];
  forEachSpan(payload, (s) => ids.push(hex(s.traceId)));
  return ids;
}

interface LogsJson { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ body?: { stringValue?: string } }> }> }> }

/** Every log record's string body, in order, read through the OTLP/JSON writer. */
export function logBodies(payload: Payload): string[] {
  const json = JSON.parse(toJson(payload)) as LogsJson;
  return json.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords.map((l) => l.body?.stringValue ?? '')));
}
