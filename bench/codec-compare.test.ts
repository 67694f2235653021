import { ProtobufLogsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import t from 'tap';
import { decodeProtobuf, forEachSpan, makeRealisticTraceRequest, type SpanView } from '../pdata/index.js';
import { makeSdkLogs, makeSdkMetrics } from '../pdata/test-fixtures.js';
import { compareCodecs, medianComparison, spanCounts } from './codec-compare.js';
import { otlpRoot, requestType } from './protobufjs-otlp.js';
import { codecTable } from './report.js';

t.test('both decoders count the same spans in the benchmark request', async (t) => {
  for (const n of [1, 7, 512]) t.same(spanCounts(n), { vigil: n, protobufjs: n, protobufjsObject: n }, `${n} spans`);
});

t.test('protobufjs reads the same span fields as vigil from the same bytes', async (t) => {
  const bytes = makeRealisticTraceRequest(16);
  const views: SpanView[] = [];
  forEachSpan(decodeProtobuf('traces', bytes).payload!, (s) => views.push({ ...s, traceId: Buffer.from(s.traceId), spanId: Buffer.from(s.spanId) }));
  const type = requestType(otlpRoot(), 'traces');
  const obj = type.toObject(type.decode(bytes), { longs: String, bytes: String });
  const spans = obj.resourceSpans[0].scopeSpans[0].spans as { traceId: string; spanId: string; name: string; kind: number; startTimeUnixNano: string; attributes: unknown[]; events: unknown[] }[];
  t.equal(spans.length, views.length);
  spans.forEach((s, i) => {
    const v = views[i]!;
    t.same([s.name, s.kind, s.startTimeUnixNano, s.traceId, s.spanId], [v.name, v.kind, String(v.startTimeUnixNano), Buffer.from(v.traceId).toString('base64'), Buffer.from(v.spanId).toString('base64')], `span ${i}`);
    t.equal(s.attributes.length, 10);
    t.equal(s.events.length, 2);
  });
});

interface DecodedMetrics { resourceMetrics: { scopeMetrics: { metrics: Record<string, { dataPoints?: unknown[] } | undefined>[] }[] }[] }

t.test('the protobufjs types also read the SDK\'s metrics and logs requests, with vigil\'s item counts', async (t) => {
  const root = otlpRoot();
  const metricsBytes = ProtobufMetricsSerializer.serializeRequest(makeSdkMetrics(1))!;
  const metrics = requestType(root, 'metrics').decode(metricsBytes) as unknown as DecodedMetrics;
  let points = 0;
  for (const rm of metrics.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) for (const kind of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) points += m[kind]?.dataPoints?.length ?? 0;
    }
  }
  t.equal(points, decodeProtobuf('metrics', metricsBytes).payload?.itemCount);
  const logsBytes = ProtobufLogsSerializer.serializeRequest(makeSdkLogs(4))!;
  const logs = requestType(root, 'logs').decode(logsBytes) as unknown as { resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[] };
  t.equal(logs.resourceLogs.flatMap((r) => r.scopeLogs).reduce((n, s) => n + s.logRecords.length, 0), 4);
  t.equal(decodeProtobuf('logs', logsBytes).payload?.itemCount, 4);
});

t.test('the comparison runs and the report shows every decoder with its ratio', async (t) => {
  const runs = [compareCodecs(64, 20), compareCodecs(64, 20), compareCodecs(64, 20)];
  const c = medianComparison(runs);
  t.equal(c.spans, 64);
  t.ok(c.requestBytes > 64 * 400, 'the realistic request');
  for (const k of ['vigilValidate', 'vigilDetailed', 'protobufjsDecode', 'protobufjsToObject', 'protobufjsToObjectLongs'] as const) {
    t.ok(c[k].spansPerSec > 0, `${k}: ${c[k].spansPerSec} spans/s`);
    t.ok(c[k].spansPerCpuSec > 0, `${k}: ${c[k].spansPerCpuSec} spans per CPU-second`);
    t.ok(c[k].bytesPerSpan > 0, `${k}: ${c[k].bytesPerSpan} bytes/span`);
    t.ok([runs[0]![k].spansPerSec, runs[1]![k].spansPerSec, runs[2]![k].spansPerSec].includes(c[k].spansPerSec), 'the median is one of the runs');
  }
  t.ok(c.protobufjsDecode.bytesPerSpan > c.vigilValidate.bytesPerSpan, 'protobufjs builds objects; validation does not');
  const md = codecTable(c).join('\n');
  t.match(md, /\| protobufjs: Type\.decode \(message objects\) \| [\d,]+ \| [\d,]+ \| [\d,]+ \| \d+\.\d× \|/);
  t.match(md, /\| vigil: decodeProtobuf \(validate, count\) \| [\d,]+ \| [\d,]+ \| [\d,]+ \| 1\.0× \|/);
  t.equal(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---')).length, 6, 'header and five decoders');
});
