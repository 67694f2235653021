/**
 * Promise (issue 9): Kafka records compressed with any of Kafka's codecs cross between vigil and
 * the real OpenTelemetry Collector intact, both ways. The otelcol peer's kafka exporter writes the
 * SDK's spans with snappy, lz4, zstd and gzip (one topic each) and vigil's kafka receivers read
 * them; vigil's kafka exporter writes with each codec and the peer's kafka receivers read them.
 * Each side writes what it read to one file per codec; every file must hold the SDK's spans.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Daemon, freePort, tempDir } from '../daemon.js';
import { createTopic, eventually, unique } from '../kafka.js';
import { flatten } from '../otlp-compare.js';
import { Peer, requirePeer } from '../peer.js';
import { kafkaAvailable, requireService } from '../services.js';
import { makeSpans } from './sdk-fixtures.js';

const CODECS = ['snappy', 'lz4', 'zstd', 'gzip'] as const;
type Codec = (typeof CODECS)[number];

const read = (file: string): Array<Record<string, unknown>> => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return []; // not written yet
  }
};
const spansIn = (file: string): string[] => flatten('traces', read(file), () => '').map((i) => JSON.stringify(i.value)).sort();

async function send(url: string, spans: ReadableSpan[]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url });
  await new Promise<void>((resolve, reject) => exporter.export(spans, (r) =>
    (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))));
  await exporter.shutdown();
}

/** One block of YAML per codec, from `block(codec)`, indented under a section. */
const each = (block: (c: Codec) => string): string => CODECS.map(block).join('\n');

t.test('snappy, lz4, zstd, gzip: otelcol → vigil and vigil → otelcol through Kafka, spans unchanged', async (t) => {
  if (!requireService(t, 'Kafka', await kafkaAvailable())) return;
  const peerBin = await requirePeer(t);
  if (!peerBin) return;
  const run = unique('vigil-codecs');
  const toVigil = Object.fromEntries(CODECS.map((c) => [c, `${run}-to-vigil-${c}`])) as Record<Codec, string>;
  const toPeer = Object.fromEntries(CODECS.map((c) => [c, `${run}-to-peer-${c}`])) as Record<Codec, string>;
  for (const topic of [...Object.values(toVigil), ...Object.values(toPeer)]) await createTopic(t, topic, 1);
  const dir = tempDir();
  const vigilOut = (c: Codec): string => join(dir, `vigil-${c}.jsonl`);
  const peerOut = (c: Codec): string => join(dir, `peer-${c}.jsonl`);
  const [peerHttp, vigilHttp, healthPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);

  const peer = await Peer.start(t, peerBin, `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${peerHttp} }
${each((c) => `  kafka/${c}:
    brokers: [localhost:9092]
    group_id: ${run}-peer-${c}
    initial_offset: earliest
    traces: { topics: [${toPeer[c]}] }`)}
exporters:
${each((c) => `  kafka/${c}:
    brokers: [localhost:9092]
    traces: { topic: ${toVigil[c]} }
    producer: { compression: ${c} }
  file/${c}: { path: ${peerOut(c)} }`)}
service:
  telemetry: { metrics: { level: none } }
  pipelines:
${each((c) => `    traces/out-${c}: { receivers: [otlp], exporters: [kafka/${c}] }
    traces/in-${c}: { receivers: [kafka/${c}], exporters: [file/${c}] }`)}
`);
  const daemon = await Daemon.start(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${vigilHttp} }
${each((c) => `  kafka/${c}:
    brokers: [localhost:9092]
    group_id: ${run}-vigil-${c}
    initial_offset: earliest
    traces: { topic: ${toVigil[c]} }`)}
exporters:
${each((c) => `  kafka/${c}:
    brokers: [localhost:9092]
    traces: { topic: ${toPeer[c]} }
    producer: { compression: ${c} }
  file/${c}: { path: ${vigilOut(c)} }`)}
extensions:
  health_check: { endpoint: 127.0.0.1:${healthPort} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${metricsPort} }, logs: { level: warn } }
  pipelines:
${each((c) => `    traces/out-${c}: { receivers: [otlp], exporters: [kafka/${c}] }
    traces/in-${c}: { receivers: [kafka/${c}], exporters: [file/${c}] }`)}
`, healthPort);
  t.teardown(() => daemon.stop('SIGKILL'));

  // 300 spans: enough bytes for several compression blocks' worth of repetition.
  const spans = makeSpans(300);
  await send(`http://127.0.0.1:${peerHttp}/v1/traces`, spans);
  await send(`http://127.0.0.1:${vigilHttp}/v1/traces`, spans);
  const expected = flatten('traces', [JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString()) as Record<string, unknown>], () => '')
    .map((i) => JSON.stringify(i.value)).sort();

  const complete = (): boolean => CODECS.every((c) => spansIn(vigilOut(c)).length >= spans.length && spansIn(peerOut(c)).length >= spans.length);
  const counts = (): string => CODECS.map((c) => `${c}: vigil read ${spansIn(vigilOut(c)).length}, otelcol read ${spansIn(peerOut(c)).length}`).join('; ');
  if (!t.ok(await eventually(complete, 45_000), `every span crossed with every codec (${counts()})`)) {
    t.comment(`otelcol said:\n${peer.output.split('\n').filter((l) => /error|warn/i.test(l)).slice(-20).join('\n')}`);
    t.comment(`vigil said:\n${(daemon.stdout + daemon.stderr).slice(-3000)}`);
  }
  t.equal(await daemon.stop(), 0, 'vigil exits cleanly after SIGTERM');
  for (const c of CODECS) {
    t.same(spansIn(vigilOut(c)), expected, `${c}: what otelcol wrote, vigil read unchanged`);
    t.same(spansIn(peerOut(c)), expected, `${c}: what vigil wrote, otelcol read unchanged`);
  }
  t.notMatch(daemon.stdout + daemon.stderr, /NotImplemented|not implemented/, 'no codec is missing');
});
