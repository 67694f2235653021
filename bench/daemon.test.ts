import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { freePorts, parsePrometheus, shebangNodeFlags, VIGIL } from './daemon.js';
import { daemonYaml, type QueueSpec } from './daemon-config.js';
import { countFileSpans } from './file-count.js';

t.test('free ports are distinct', async (t) => {
  const ports = await freePorts(8);
  t.equal(new Set(ports).size, 8);
});

t.test('Prometheus text: families summed over labels, comments and junk skipped', async (t) => {
  const m = parsePrometheus([
    '# HELP otelcol_process_cpu_seconds Total CPU.',
    '# TYPE otelcol_process_cpu_seconds gauge',
    'otelcol_process_cpu_seconds 12.5',
    'otelcol_receiver_accepted_spans_total{receiver="otlp",transport="grpc"} 1024',
    'otelcol_receiver_accepted_spans_total{receiver="otlp",transport="http"} 512',
    'weird line',
    'x_nan NaN',
  ].join('\n'));
  t.equal(m.get('otelcol_process_cpu_seconds'), 12.5);
  t.equal(m.get('otelcol_receiver_accepted_spans_total'), 1536);
  t.notOk(m.has('x_nan'));
});

const ports = { grpc: 1001, http: 1002, health: 1003, metrics: 1004 };
const KAFKA: QueueSpec = { type: 'kafka', brokers: ['localhost:9092'], topicPrefix: 'p', groupId: 'g', partitions: 8 };

t.test('headline YAML: otlp → batch → otlp_grpc to the sink, memory or kafka queue', async (t) => {
  const doc = parse(daemonYaml(ports, { kind: 'sink', port: 2000 }, { type: 'memory' }));
  t.same(doc.service.pipelines.traces, { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp_grpc'] });
  t.same(doc.exporters.otlp_grpc, { endpoint: '127.0.0.1:2000', tls: { insecure: true }, compression: 'none' });
  t.equal(doc.receivers.otlp.protocols.grpc.endpoint, '127.0.0.1:1001');
  t.equal(doc.extensions.health_check.endpoint, '127.0.0.1:1003');
  t.equal(doc.service.telemetry.metrics.address, '127.0.0.1:1004');
  t.same(doc.service.queue, { type: 'memory' });
  const k = parse(daemonYaml(ports, { kind: 'file', path: '/tmp/a b.jsonl' }, KAFKA));
  t.same(k.service.queue, { type: 'kafka', kafka: { brokers: ['localhost:9092'], topic_prefix: 'p', group_id: 'g', partitions: 8 } });
  t.same(k.exporters, { file: { path: '/tmp/a b.jsonl' } });
});

t.test('daemons run with the Node flags of the vigil command\'s shebang', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-shebang-'));
  const script = (line: string): string => {
    const file = join(dir, `s${Math.random().toString(36).slice(2)}.js`);
    writeFileSync(file, `${line}\nconsole.log(1);\n`);
    return file;
  };
  t.same(shebangNodeFlags(script('#!/usr/bin/env -S node --max-semi-space-size=4 --stack-size=2000')), ['--max-semi-space-size=4', '--stack-size=2000']);
  t.same(shebangNodeFlags(script('#!/usr/bin/env node')), []);
  t.same(shebangNodeFlags(script('console.log(0);')), []);
  if (existsSync(VIGIL)) t.same(shebangNodeFlags(VIGIL), ['--max-semi-space-size=4', '--initial-old-space-size=64'], 'the built command');
});

t.test('the generated YAML passes `vigil validate`', { skip: existsSync(VIGIL) ? false : 'dist/cmd/vigil.js not built yet' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-yaml-'));
  for (const [name, yaml] of [
    ['sink.yaml', daemonYaml(ports, { kind: 'sink', port: 2000 }, { type: 'memory' })],
    ['file.yaml', daemonYaml(ports, { kind: 'file', path: join(dir, 'out.jsonl') }, { type: 'memory' })],
    ['kafka.yaml', daemonYaml(ports, { kind: 'sink', port: 2000 }, KAFKA)],
  ] as const) {
    const file = join(dir, name);
    writeFileSync(file, yaml);
    const result = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, [VIGIL, 'validate', '--config', file], (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr })));
    t.equal(result.code, 0, `${name}: ${result.out}`);
  }
});

t.test('counting spans in file exporter output, keys split across read chunks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-count-'));
  const path = join(dir, 'out.jsonl');
  const span = '{"traceId":"aa","spanId":"bb","parentSpanId":"cc","events":[{"name":"e"}]}';
  // 5 MiB-ish of lines so the 4 MiB read chunks split somewhere inside the content.
  const line = `{"resourceSpans":[{"scopeSpans":[{"spans":[${Array(100).fill(span).join(',')}]}]}]}\n`;
  const lines = Math.ceil((5 * 1024 * 1024) / line.length);
  writeFileSync(path, line.repeat(lines));
  const { spans, bytes } = await countFileSpans(path);
  t.equal(spans, lines * 100);
  t.equal(bytes, line.length * lines);
  t.notOk(existsSync(path), 'deleted after counting');
  t.same(await countFileSpans(join(dir, 'missing.jsonl')), { spans: 0, bytes: 0 });
});
