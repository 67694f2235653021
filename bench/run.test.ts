/**
 * The whole benchmark, end to end, against a stand-in daemon (testdata/fake-vigil.mjs) that forwards
 * requests unchanged: checks the orchestration, the agreement of acks and sink, and the report files.
 * It says nothing about vigil's performance.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const RUN = fileURLToPath(new URL('./run.js', import.meta.url));
const FAKE = fileURLToPath(new URL('../../bench/testdata/fake-vigil.mjs', import.meta.url));

t.test('a short run over gRPC, HTTP and file writes a report with every target', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'bench-run-'));
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [RUN, '--duration', '1s', '--warmup', '500ms', '--only', 'grpc,http,file', '--out', out],
      { env: { ...process.env, VIGIL_BENCH_DAEMON: FAKE }, timeout: 90_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? -1) : 0, stdout, stderr })));
  t.ok(code === 0 || code === 1, `exit 0 (all pass) or 1 (a target failed), not an error: ${code}\n${stderr}`);
  const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as {
    errors: string[]; forwarding: Array<{ transport: string; ackedTotal: number; sinkTotal: number; saturation: { sinkRate: number; daemonCoreShare: number }; fixed10k: { daemonCoreShare: number } }>;
    file: { fileSpans: number; ackedTotal: number; spansPerSec: number }; checks: Array<{ name: string; pass: boolean }>;
  };
  t.same(report.errors, []);
  t.same(report.forwarding.map((f) => f.transport), ['grpc', 'http']);
  for (const f of report.forwarding) {
    t.ok(f.ackedTotal > 0 && f.sinkTotal === f.ackedTotal, `${f.transport}: acked ${f.ackedTotal} = sink ${f.sinkTotal}`);
    t.ok(f.saturation.sinkRate > 0 && f.saturation.daemonCoreShare > 0);
    t.ok(f.fixed10k.daemonCoreShare > 0 && f.fixed10k.daemonCoreShare < 1, 'a stand-in forwarding 10 000 spans/s uses some, not all, of a core');
  }
  t.equal(report.file.fileSpans, report.file.ackedTotal);
  t.ok(report.file.spansPerSec > 0);
  t.equal(report.checks.length, 11, 'targets: 3 delivery, grpc throughput, 2 × (p99, CPU, RSS), file rate');
  t.match(stdout, /\| grpc: forwarding at saturation \| [\d,]+ spans\/s \| >= 100,000 \| (PASS|\*\*FAIL\*\*) \|/);
  t.equal(readFileSync(join(out, 'latest.md'), 'utf8'), stdout);
});

t.test('a short --queue kafka run covers one and two daemons with a burst, and reports issue 3 targets', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'bench-run-'));
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(process.execPath, [RUN, '--queue', 'kafka', '--duration', '1s', '--warmup', '500ms', '--burst', '1s', '--out', out],
      { env: { ...process.env, VIGIL_BENCH_DAEMON: FAKE }, timeout: 90_000 },
      (err, _stdout, stderr) => resolve({ code: err ? Number(err.code ?? -1) : 0, stderr })));
  t.ok(code === 0 || code === 1, `exit 0 or 1, not an error: ${code}\n${stderr}`);
  const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as {
    errors: string[]; settings: Record<string, unknown>; checks: Array<{ name: string }>;
    forwarding: Array<{ daemons: number; ackedTotal: number; sinkTotal: number; sustained: { rate: number; steps: Array<{ offered: number; kept: boolean }> }; burst: { durationMs: number; lagMs: number; gaugeLagMs: number | null; ackedTotal: number; sinkTotal: number } }>;
  };
  t.same(report.errors, []);
  t.match(report.settings, { queue: 'kafka', partitions: 8, burst_s: 1 });
  t.same(report.forwarding.map((f) => f.daemons), [1, 2], 'one daemon, then two sharing the consumer group');
  for (const f of report.forwarding) {
    t.ok(f.ackedTotal > 0 && f.sinkTotal === f.ackedTotal, `×${f.daemons}: acked ${f.ackedTotal} = sink ${f.sinkTotal}`);
    t.ok(f.burst.ackedTotal > 0 && f.burst.sinkTotal >= f.burst.ackedTotal && f.burst.lagMs >= 0, `×${f.daemons}: burst caught up in ${f.burst.lagMs} ms`);
    t.ok(f.sustained.steps.length > 0, `×${f.daemons}: the sustained rate was searched at fixed rates`);
    t.ok(f.sustained.rate === 0 || f.sustained.steps.some((s) => s.kept), 'a sustained rate is one some step kept pace with');
    t.equal(f.burst.durationMs, 1000);
    t.equal(f.burst.gaugeLagMs, null, 'the stand-in exports no consumer-lag gauge');
  }
  t.same(report.checks.map((c) => c.name), [
    'grpc: every acknowledged span reached the sink', 'kafka grpc: sustained', 'kafka grpc: receive→ack p99 at half rate', 'kafka grpc: lag back to zero after a 1 s burst at 1.5×',
    'grpc ×2 daemons: every acknowledged span reached the sink', 'kafka grpc ×2 daemons: sustained', 'kafka grpc ×2 daemons: receive→ack p99 at half rate',
    'kafka grpc ×2 daemons: lag back to zero after a 1 s burst at 1.5×',
  ]);
});
