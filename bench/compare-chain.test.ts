import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { decodeProtobuf, forEachSpanDetailed, type SpanDetailView } from '../pdata/index.js';
import { requirePeer } from '../test/peer.js';
import { tempDir } from '../test/daemon.js';
import { CHAIN_SPANS_PER_TRACE, CHAIN_TRACES_PER_REQUEST, isError, isSlow, makeChainSource, SLOW_MS } from './chain-requests.js';
import { otelcolChainYaml, vigilChainYaml, type ChainKind } from './chain-config.js';
import { ratioTable, type PathRun } from './compare.js';
import type { ChainMeasure } from './compare-chain.js';
import { EXPECTED_KEPT_SHARE, matchedRate, sustainedRate, verdict, type RateStep } from './compare-chain-rate.js';
import { checks } from './report.js';

const VIGIL = fileURLToPath(new URL('../cmd/vigil.js', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function spansOf(body: Buffer): SpanDetailView[] {
  const { payload } = decodeProtobuf('traces', body);
  const out: SpanDetailView[] = [];
  if (payload) forEachSpanDetailed(payload, (s) => out.push({ ...s, traceId: Uint8Array.from(s.traceId) }));
  return out;
}

t.test('chain requests: whole traces of 10 spans, slow and ERROR ones, fresh trace ids and the current time on every send', async (t) => {
  let now = 1_800_000_000_000_000_000n;
  const source = makeChainSource(CHAIN_TRACES_PER_REQUEST, () => now);
  const first = spansOf(source.next());
  now += 7_000_000_000n;
  const second = spansOf(source.next());
  t.equal(first.length, CHAIN_TRACES_PER_REQUEST * CHAIN_SPANS_PER_TRACE);
  t.equal(source.spansPerRequest, first.length);

  const traces = new Map<string, SpanDetailView[]>();
  for (const s of first) traces.set(hex(s.traceId), [...(traces.get(hex(s.traceId)) ?? []), s]);
  t.equal(traces.size, CHAIN_TRACES_PER_REQUEST, 'one trace id per trace');
  t.ok([...traces.values()].every((spans) => spans.length === CHAIN_SPANS_PER_TRACE && spans.filter((s) => s.parentSpanId.every((x) => x === 0)).length === 1), 'each trace: 10 spans, one root');
  t.notOk(second.some((s) => traces.has(hex(s.traceId))), 'the next request uses trace ids never used before');

  [...traces.values()].forEach((spans, i) => {
    const root = spans[0]!;
    const ms = Number(root.endTimeUnixNano - root.startTimeUnixNano) / 1e6;
    if (isSlow(i)) t.equal(ms, SLOW_MS, `trace ${i}: slow root`);
    else t.ok(ms < 500, `trace ${i}: fast root (${ms} ms)`);
    t.equal(spans.some((s) => s.statusCode === 2), isError(i), `trace ${i}: an ERROR span only in every tenth trace`);
    t.ok(spans.every((s) => s.startTimeUnixNano >= root.startTimeUnixNano && s.endTimeUnixNano <= root.endTimeUnixNano), `trace ${i}: children inside the root`);
  });
  const latestEnd = (spans: SpanDetailView[]): bigint => spans.reduce((m, s) => (s.endTimeUnixNano > m ? s.endTimeUnixNano : m), 0n);
  t.ok(latestEnd(first) <= 1_800_000_000_000_000_000n && latestEnd(first) > 1_800_000_000_000_000_000n - 10_000_000n, 'spans end within the 10 ms before the send');
  t.equal(latestEnd(second) - latestEnd(first), 7_000_000_000n, 'times follow the clock');
});

async function validate(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: `${stdout}${stderr}` }));
  });
}

t.test('both systems validate the chain pipeline the bench gives them, for both kinds', async (t) => {
  const dir = tempDir();
  const ports = { grpc: 4991, http: 4992, health: 4993, metrics: 4994 };
  const kinds: ChainKind[] = ['chain', 'hold'];
  for (const kind of kinds) {
    const file = join(dir, `vigil-${kind}.yaml`);
    writeFileSync(file, vigilChainYaml(ports, 4999, kind));
    const out = await validate(process.execPath, [VIGIL, 'validate', '--config', file]);
    t.equal(out.code, 0, `${kind}: vigil validate exits 0`, { output: out.output });
  }
  const otelcol = await requirePeer(t);
  if (!otelcol) return;
  for (const kind of kinds) {
    const file = join(dir, `otelcol-${kind}.yaml`);
    writeFileSync(file, otelcolChainYaml(ports, 4999, kind));
    const out = await validate(otelcol, ['validate', '--config', file]);
    t.equal(out.code, 0, `${kind}: otelcol validate exits 0`, { output: out.output });
  }
});

t.test('chain targets: ≥ 1.5× throughput, ≤ 0.67× CPU per span (at a rate both sustain), ≤ 1.2× peak RSS holding traces', async (t) => {
  const run = (path: PathRun['path'], system: PathRun['system'], spansPerSec: number, cpu: number, rssMiB: number): PathRun => ({
    path, system, repetition: 1, spansPerSec, cpuSecondsPerMillion: cpu, coreShare: 1, peakRssBytes: rssMiB * 1024 * 1024, p99Ms: 5, refused: 0,
    ...(path === 'chain' ? { keptPerSec: spansPerSec * 0.28, keptShare: 0.28, drainSeconds: 6 } : {}),
    ...(path === 'chain-rate' ? { matchedPerSec: 20_000 } : {}),
  });
  const runs = [
    run('chain', 'vigil', 30_000, 10, 300), run('chain', 'otelcol', 90_000, 5, 600),
    run('chain-rate', 'vigil', 30_000, 10, 300), run('chain-rate', 'otelcol', 20_000, 20, 600),
    run('hold-traces', 'vigil', 1, 1, 1300), run('hold-traces', 'otelcol', 1, 1, 1000),
  ];
  const rows = ratioTable(runs);
  t.ok(Math.abs(rows.find((r) => r.path === 'chain' && r.figure === 'kept %')!.vigil.median - 28) < 1e-9, 'kept % is the share in percent');
  t.equal(rows.find((r) => r.path === 'chain-rate' && r.figure === 'rate both sustained')!.vigil.median, 20_000, 'the rate the CPU was read at is in the table');
  const byName = new Map(checks(false, [], undefined, undefined, runs).map((c) => [c.name, c]));
  t.same([...byName.keys()], [
    'vs otelcol, chain (span_metrics + tail_sampling): sustained throughput', 'vs otelcol, chain: CPU per span at a rate both sustain',
    'vs otelcol, 100 000 undecided traces of 10 spans: peak RSS',
  ], 'exactly issue 10\'s three targets, read on chain-rate (not at saturation), none of issue 13\'s');
  t.equal(byName.get('vs otelcol, chain (span_metrics + tail_sampling): sustained throughput')!.pass, true, '1.5× passes');
  t.equal(byName.get('vs otelcol, chain: CPU per span at a rate both sustain')!.pass, true, '0.5× passes');
  t.equal(byName.get('vs otelcol, 100 000 undecided traces of 10 spans: peak RSS')!.pass, false, '1.3× fails');
});

t.test('chain-rate: a rate counts only when everything asked at it was done', async (t) => {
  const measure = (over: { ack?: number; kept?: number; share?: number; drain?: number; refused?: number }): ChainMeasure => {
    const ack = over.ack ?? 30_000;
    return {
      measured: { ackRate: ack, phase: { refusedRequests: over.refused ?? 0, errorRequests: 0 } } as unknown as ChainMeasure['measured'],
      sustainedPerSec: ack, keptPerSec: over.kept ?? ack * EXPECTED_KEPT_SHARE, keptShare: over.share ?? EXPECTED_KEPT_SHARE,
      drainSeconds: over.drain ?? 6, metricsRequests: 3, peakRssBytes: 1,
    };
  };
  t.equal(Math.round(EXPECTED_KEPT_SHARE * 100), 28, 'the policies keep 28 % of the spans');
  t.same(verdict(30_000, measure({})), [], 'all asked, all done');
  t.match(verdict(30_000, measure({ ack: 25_000 })), [/acknowledged 25000 of 30000/]);
  t.match(verdict(30_000, measure({ kept: 5_000 })), [/kept 5000 spans\/s in the window/]);
  t.match(verdict(30_000, measure({ share: 0.08 })), [/kept 8.0 % overall/], 'traces dropped undecided: otelcol past num_traces');
  t.match(verdict(30_000, measure({ drain: 20 })), [/drained 20.0 s/], 'a backlog left behind');
  t.match(verdict(30_000, measure({ refused: 3 })), [/3 requests refused/]);
  const steps = (...rs: Array<[number, boolean]>): RateStep[] => rs.map(([rate, sustained]) => ({ rate, sustained, why: '' }));
  const vigil = steps([20_000, true], [30_000, true], [45_000, true], [68_000, false], [55_000, true]);
  const otelcol = steps([20_000, true], [30_000, false], [24_000, true]);
  t.equal(sustainedRate(vigil), 55_000, 'the highest rate passed, the bisection included');
  t.equal(sustainedRate(otelcol), 24_000);
  t.equal(matchedRate(vigil, otelcol), 20_000, 'the CPU is compared at a rate both ran and sustained');
  t.equal(sustainedRate(steps([20_000, false])), 0);
});
