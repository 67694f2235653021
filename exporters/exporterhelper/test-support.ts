/** Helpers for the exporters' tests: sample payloads from the SDK, settings with a captured log. */
import { Writable } from 'node:stream';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { pino } from 'pino';
import type { CreateSettings } from '../../pipeline/component.js';
import { parseComponentId } from '../../pipeline/component.js';
import { decodeProtobuf, fromJson, makeRealisticTraceRequest } from '../../pdata/index.js';
import type { Payload, Signal } from '../../pdata/payload.js';
import { SelfMetrics } from '../../pipeline/telemetry.js';
import { makeMetrics } from '../../test/e2e/sdk-fixtures.js';

/** A hand-written logs request of `count` records for service "checkout". */
function logsJson(count: number): string {
  const records = Array.from({ length: count }, (_, i) => ({
    timeUnixNano: String(1700000000123456789n + BigInt(i)), severityNumber: 9, severityText: 'INFO',
    body: { stringValue: `order ${i} placed` }, traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174',
  }));
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] };
  return JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'test' }, logRecords: records }] }] });
}

/**
 * A validated payload of `signal`: `count` realistic spans (service "checkout"), the SDK's metrics
 * (every instrument type), or `count` log records.
 */
export async function samplePayload(signal: Signal, count = 2): Promise<Payload> {
  if (signal === 'traces') return decodeProtobuf('traces', makeRealisticTraceRequest(count)).payload!;
  if (signal === 'logs') return fromJson('logs', logsJson(count)).payload!;
  const bytes = ProtobufMetricsSerializer.serializeRequest(await makeMetrics(AggregationTemporality.CUMULATIVE));
  return decodeProtobuf(signal, bytes!).payload!;
}

/** A realistic 512-span request (10 attributes, 2 events per span), as the benchmark sends. */
export function benchPayload(spans = 512): Payload {
  return decodeProtobuf('traces', makeRealisticTraceRequest(spans)).payload!;
}

/** Settings whose logger writes parsed JSON lines into `lines`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- log lines are arbitrary JSON; tests read their fields
export function capturedSettings(id: string, level = 'debug'): { settings: CreateSettings; lines: Array<Record<string, any>> } {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- log lines are arbitrary JSON; tests read their fields
  const lines: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- log lines are arbitrary JSON; tests read their fields
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, any>);
      cb();
    },
  });
  const logger = pino({ level }, stream);
  return { settings: { id: parseComponentId(id), logger, metrics: new SelfMetrics() }, lines };
}

/** The value of a counter or gauge for one exporter. */
export async function metricValue(settings: CreateSettings, name: string): Promise<number> {
  const json = await settings.metrics.registry.getSingleMetric(name)?.get();
  return json?.values.find((v) => v.labels.exporter === settings.id.id)?.value ?? 0;
}

/** The first issue of a config that must fail, as `path: message`. */
export function issueOf(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, value: unknown): string {
  const result = schema.safeParse(value);
  if (result.success) return 'valid';
  const issue = result.error!.issues[0]!;
  return `${issue.path.map(String).join('::')}: ${issue.message}`;
}
