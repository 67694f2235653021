/**
 * Promise (issue 10): the example config's commented analytics chain works as its header says —
 * `sed -e '/# (plain)$/d' -e 's/^#|//'` — on the real daemon: spans from the OpenTelemetry SDK come
 * out sampled (every error trace kept, whole; most healthy ones dropped) and the span metrics turn
 * into per-operation RED indicators. Ports, output folder and the minute-long windows are changed
 * for the test; the wiring is the example's.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { FACTORIES } from '../../cmd/components.js';
import { checkConfig } from '../../cmd/validate.js';
import { Daemon, freePort, tempDir } from '../daemon.js';
import { waitUntil } from '../wait.js';

const EXAMPLE = fileURLToPath(new URL('../../../collector.example.yaml', import.meta.url));

/** What the example's header tells a user to run. */
export function analyticsOf(example: string): string {
  return example.split('\n').filter((l) => !l.endsWith('# (plain)')).map((l) => l.replace(/^#\|/, '')).join('\n');
}

/** 40 traces of 3 spans, 10 of them with an error on the root. */
function workload(): { spans: ReadableSpan[]; errorTraces: Set<string> } {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'shop' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('e2e');
  const errorTraces = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const root = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER });
    const inRoot = trace.setSpan(context.active(), root);
    for (let c = 0; c < 2; c++) tracer.startSpan('SELECT cart', { kind: SpanKind.CLIENT }, inRoot).end();
    if (i % 4 === 0) {
      root.setStatus({ code: SpanStatusCode.ERROR });
      errorTraces.add(root.spanContext().traceId);
    }
    root.end();
  }
  return { spans: memory.getFinishedSpans(), errorTraces };
}

const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);

t.test('the example config validates with and without the analytics', async (t) => {
  const example = readFileSync(EXAMPLE, 'utf8');
  t.ok(example.includes('#|  tail_sampling:'), 'the example carries the commented chain');
  for (const [name, text] of [['plain', example], ['analytics', analyticsOf(example)]] as const) {
    const dir = tempDir();
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, text);
    const r = await checkConfig({ files: [file], sets: [], factories: FACTORIES, env: {} });
    t.same(r.errors, [], `${name}: no errors`);
    t.same(r.warnings, [], `${name}: no warnings`);
  }
});

t.test('the analytics chain on the real daemon: sampled traces and RED indicators', async (t) => {
  const dir = tempDir();
  const [grpc, http, health, metrics] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const yaml = analyticsOf(readFileSync(EXAMPLE, 'utf8'))
    .replaceAll('localhost:4317', `127.0.0.1:${grpc}`).replaceAll('localhost:4318', `127.0.0.1:${http}`)
    .replaceAll('localhost:13133', `127.0.0.1:${health}`).replaceAll('localhost:8888', `127.0.0.1:${metrics}`)
    .replaceAll('./vigil-output/', `${dir}/`)
    .replace('window: 1m', 'window: 5s').replace('metrics_flush_interval: 15s', 'metrics_flush_interval: 1s').replace('decision_wait: 5s', 'decision_wait: 1s');
  const daemon = await Daemon.start(yaml, health);
  t.teardown(() => daemon.stop('SIGKILL'));

  const { spans, errorTraces } = workload();
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${http}/v1/traces` });
  await new Promise<void>((resolve, reject) => exporter.export(spans, (r) =>
    (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))));
  await exporter.shutdown();

  const kept = (): Map<string, number> => {
    const byTrace = new Map<string, number>();
    for (const line of lines(join(dir, 'traces.jsonl'))) {
      for (const m of line.matchAll(/"traceId":"([0-9a-f]{32})"/g)) byTrace.set(m[1]!, (byTrace.get(m[1]!) ?? 0) + 1);
    }
    return byTrace;
  };
  const red = (): boolean => lines(join(dir, 'metrics.jsonl')).some((l) => l.includes('"vigil.red.throughput"') && l.includes('"GET /cart"'));
  t.ok(await waitUntil(() => [...errorTraces].every((id) => kept().get(id) === 3), 60_000), 'every error trace kept, whole (3 spans)');
  t.ok(kept().size < 40, `most healthy traces dropped (${kept().size} of 40 kept; 10 errors + ~10 % of 30)`);
  t.ok(await waitUntil(red, 60_000), 'RED indicators per operation in the metrics file');
  t.equal(await daemon.stop(), 0, 'vigil exits cleanly after SIGTERM');
});
