/** Turns scenario results into checks against the issues' targets, a markdown report and JSON. */
import { cpus, loadavg, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import type { AnomalyBench } from './anomaly.js';
import { anomalySection } from './anomaly-report.js';
import type { Measured } from './measure.js';
import type { CodecComparison } from './codec-compare.js';
import { ratioTable, type PathRun, type RatioRow } from './compare.js';
import { STEADY_BATCH, type FileSteadyResult } from './file-steady.js';
import type { DecodeCeiling, FileResult, ForwardingResult } from './scenarios.js';
import type { AlertLatencyResult } from './alert-latency.js';
import type { RuleEvalResult } from './rule-eval.js';
import { rulesSections } from './rules-report.js';

/** One target from the issues, with the measured value. */
export interface Check {
  name: string;
  value: number;
  unit: string;
  /** `>=` or `<=` the target. */
  op: '>=' | '<=';
  target: number;
  pass: boolean;
}

/** Everything a run produced. */
export interface BenchReport {
  startedAt: string;
  machine: Machine;
  settings: Record<string, unknown>;
  decode?: DecodeCeiling;
  forwarding: ForwardingResult[];
  file?: FileResult;
  fileSteady?: FileSteadyResult;
  /** The same steady scenario on the otelcol peer, run right after vigil's. */
  fileSteadyOtelcol?: FileSteadyResult;
  /** Every run of the side-by-side comparison with otelcol (issue 13), and which binary that was. */
  compare?: { otelcol: string; repetitions: number; runs: PathRun[] };
  /** Issue 11's anomaly and baseline processor figures (in process). */
  anomaly?: AnomalyBench;
  /** Issue 12: rule evaluation throughput and breach → notification latency. */
  ruleEval?: RuleEvalResult;
  alertLatency?: AlertLatencyResult;
  checks: Check[];
  errors: string[];
}

/** The machine the numbers come from. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews the numbers. */
  loadAtStart: number;
  loadAtEnd?: number;
}

const MIB = 1024 * 1024;

/** CPU model (from /proc/cpuinfo), cores, memory, Node and kernel versions. */
export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // not Linux; os.cpus() is good enough
  }
  return { cpu, cores: cpus().length, memoryGiB: Math.round(totalmem() / 1024 ** 3 * 10) / 10, node: process.version, kernel: release(), loadAtStart: loadavg()[0]! };
}

function check(name: string, value: number, unit: string, op: Check['op'], target: number): Check {
  return { name, value, unit, op, target, pass: op === '>=' ? value >= target : value <= target };
}

/** The file-steady target: every second delivers at least this share of the offered rate. */
const STEADY_SHARE = 0.8;

const cpuPerMillion = (m: Measured): number => (m.sinkWindowSpans > 0 ? (m.daemonCpuSeconds / m.sinkWindowSpans) * 1e6 : Infinity);

/** The issues' targets for what was run: issue 2's on the memory queue, issue 3's on Kafka. */
export function checks(kafka: boolean, forwarding: ForwardingResult[], file?: FileResult, steady?: FileSteadyResult, compare?: PathRun[]): Check[] {
  const out: Check[] = [];
  if (compare) out.push(...compareChecks(ratioTable(compare)));
  for (const f of forwarding) {
    const who = `${f.transport}${f.daemons > 1 ? ` ×${f.daemons} daemons` : ''}`;
    out.push(check(`${who}: every acknowledged span reached the sink`, f.sinkTotal, 'spans', '>=', f.ackedTotal));
    if (!kafka) {
      if (f.transport === 'grpc') out.push(check('grpc: forwarding at saturation', f.saturation.sinkRate, 'spans/s', '>=', 100_000));
      out.push(check(`${who}: p99 latency at half load`, f.halfRate.phase.latency.p99, 'ms', '<=', 20));
      if (f.fixed10k) {
        out.push(check(`${who}: CPU at 10 000 spans/s`, f.fixed10k.daemonCoreShare * 100, '% of a core', '<=', 15));
        out.push(check(`${who}: RSS at 10 000 spans/s`, f.fixed10k.daemonHwmBytes / MIB, 'MiB (peak)', '<=', 120));
      }
    } else {
      out.push(check(`kafka ${who}: sustained`, f.sustained?.rate ?? 0, 'spans/s', '>=', 60_000));
      out.push(check(`kafka ${who}: receive→ack p99 at half rate`, f.halfRate.phase.latency.p99, 'ms', '<=', 50));
      if (f.burst) {
        // The daemons' own consumer-lag gauge when they export one; otherwise the sink's view, which is equivalent.
        const ms = f.burst.gaugeLagMs ?? f.burst.lagMs;
        out.push(check(`kafka ${who}: lag back to zero after a ${f.burst.durationMs / 1000} s burst at 1.5×`, ms < 0 ? Infinity : ms / 1000, 's', '<=', 5));
      }
    }
  }
  if (file) {
    out.push(check('file pipeline at saturation', file.spansPerSec, 'spans/s', '>=', 50_000));
    out.push(check('file: every acknowledged span is in the file', file.fileSpans, 'spans', '>=', file.ackedTotal));
  }
  if (steady) {
    // Issue 14: per-second delivery within 20 % of the offered rate, the slowest second included.
    const floor = STEADY_SHARE * steady.offered;
    out.push(check(`file-steady at ${n0(steady.offered)} spans/s: slowest second`, steady.min, 'spans/s', '>=', floor));
    out.push(check(`file-steady at ${n0(steady.offered)} spans/s: median second`, steady.median, 'spans/s', '>=', floor));
    out.push(check('file-steady: every acknowledged span is in the file', steady.fileSpans, 'spans', '>=', steady.ackedTotal));
  }
  return out;
}

/**
 * Issue 13's targets, as ratios of medians measured in the same run: CPU per span at most otelcol's
 * on every path, throughput at least otelcol's on forwarding and file, peak RSS at 10 000 spans/s at
 * most otelcol's.
 */
function compareChecks(rows: RatioRow[]): Check[] {
  const out: Check[] = [];
  for (const r of rows) {
    if (r.path === 'chain' || r.path === 'chain-rate' || r.path === 'hold-traces' || r.path === 'chain-kafka' || r.path === 'chain-kafka-rate') {
      out.push(...chainChecks(r));
      continue;
    }
    if (r.figure === 'CPU-s per M spans') out.push(check(`vs otelcol, ${r.path}: CPU per span`, r.ratio, '× otelcol', '<=', 1));
    if (r.figure === 'spans/s' && r.path !== 'kafka-20k') out.push(check(`vs otelcol, ${r.path}: throughput`, r.ratio, '× otelcol', '>=', 1));
    if (r.figure === 'peak RSS MiB' && r.path === 'steady-10k') out.push(check(`vs otelcol, ${r.path}: peak RSS`, r.ratio, '× otelcol', '<=', 1));
  }
  return out;
}

/**
 * Issue 10's targets: on the chain, ≥ 1.5× otelcol's sustained spans/s at ≤ 0.67× its CPU per span
 * (read on `chain-rate`, where both systems are held to the same work; at saturation otelcol
 * acknowledges what its sampler then drops), and ≥ 60,000 spans/s on vigil's Kafka stage log;
 * holding 100 000 traces, ≤ 1.2× otelcol's peak RSS.
 */
function chainChecks(r: RatioRow): Check[] {
  if (r.path === 'chain-rate' && r.figure === 'spans/s') return [check('vs otelcol, chain (span_metrics + tail_sampling): sustained throughput', r.ratio, '× otelcol', '>=', 1.5)];
  if (r.path === 'chain-rate' && r.figure === 'CPU-s per M spans') return [check('vs otelcol, chain: CPU per span at a rate both sustain', r.ratio, '× otelcol', '<=', 0.67)];
  if (r.path === 'chain-kafka' && r.figure === 'spans/s') return [check('vigil on the Kafka stage log, chain: throughput at saturation', r.vigil.median, 'spans/s', '>=', 60_000)];
  if (r.path === 'chain-kafka-rate' && r.figure === 'offered rate sustained') return [check('vigil on the Kafka stage log, chain: 60,000 spans/s offered, sustained (no backlog)', r.vigil.median, 'spans/s', '>=', 60_000)];
  if (r.path === 'hold-traces' && r.figure === 'peak RSS MiB') return [check('vs otelcol, 100 000 undecided traces of 10 spans: peak RSS', r.ratio, '× otelcol', '<=', 1.2)];
  return [];
}

function compareTable(rows: RatioRow[], repetitions: number): string[] {
  const cell = (s: RatioRow['vigil']): string => `${fmtFigure(s.median)} (${fmtFigure(s.min)}–${fmtFigure(s.max)})`;
  return [
    `Each path on a fresh daemon of each system, ${repetitions} repetitions, the order alternating; median (min–max). Same receivers, batch and exporter config, same generator and sink.`, '',
    row(['path', 'figure', 'vigil', 'otelcol', 'vigil ÷ otelcol']),
    row(['---', '---', '---:', '---:', '---:']),
    ...rows.map((r) => row([r.path, r.figure, cell(r.vigil), cell(r.otelcol), Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : '–'])),
  ];
}

const fmtFigure = (v: number): string => (!Number.isFinite(v) ? '–' : Math.abs(v) >= 1000 ? n0(v) : n1(v));

const n0 = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '∞');
const n1 = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '∞');
const n2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '∞');
const fmt = (v: number, unit: string): string => (unit === 'ms' || unit === 's' || unit.startsWith('×') ? n2(v) : unit.startsWith('%') || unit.startsWith('MiB') ? n1(v) : n0(v));

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function forwardingTable(fs: ForwardingResult[]): string[] {
  const lines = [
    row(['transport', 'daemons', 'saturation spans/s (sink)', 'acked spans/s', 'refused / errors', 'daemon cores', 'CPU s per M spans', 'generator cores',
      'half-load offered', 'p50 ms', 'p99 ms', 'peak RSS MiB', '10k: CPU % core', '10k: RSS MiB', '10k: peak MiB', 'acked → sink']),
    row(Array<string>(16).fill('---')),
  ];
  for (const f of fs) {
    const s = f.saturation;
    const h = f.halfRate;
    lines.push(row([
      f.transport, String(f.daemons), n0(s.sinkRate), n0(s.ackRate), `${s.phase.refusedRequests} / ${s.phase.errorRequests}`, n2(s.daemonCoreShare),
      n2(cpuPerMillion(s)), n2(s.generatorCoreShare), n0(f.halfRateOffered), n2(h.phase.latency.p50), n2(h.phase.latency.p99), n1(f.peakRssBytes / MIB),
      f.fixed10k ? n1(f.fixed10k.daemonCoreShare * 100) : '–', f.fixed10k ? n1(f.fixed10k.daemonRssBytes / MIB) : '–',
      f.fixed10k ? n1(f.fixed10k.daemonHwmBytes / MIB) : '–', `${n0(f.ackedTotal)} → ${n0(f.sinkTotal)}`,
    ]));
  }
  return lines;
}

const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(1)}×` : '–');

/** vigil's decoder against protobufjs on the same request: throughput, allocation, and how many times cheaper vigil's validation is per CPU-second. */
export function codecTable(c: CodecComparison): string[] {
  const base = c.vigilValidate.spansPerCpuSec;
  const rows: [string, CodecComparison['vigilValidate']][] = [
    ['vigil: decodeProtobuf (validate, count)', c.vigilValidate],
    ['vigil: decodeProtobuf + every span read (forEachSpanDetailed)', c.vigilDetailed],
    ['protobufjs: Type.decode (message objects)', c.protobufjsDecode],
    ['protobufjs: Type.decode + toObject()', c.protobufjsToObject],
    ['protobufjs: Type.decode + toObject({ longs: String })', c.protobufjsToObjectLongs],
  ];
  return [
    `vigil's decoder against protobufjs on the same ${c.spans}-span request (${n0(c.requestBytes)} bytes), one thread, median of three runs. ` +
      'Spans per CPU-second is the figure to compare (the wall clock also counts time other work took the core); the ratio is vigil validate\'s over each row\'s.',
    '',
    row(['decoder', 'spans per CPU-second', 'spans/s (wall)', 'heap bytes per span', 'vigil validate ÷ this']),
    row(['---', '---:', '---:', '---:', '---:']),
    ...rows.map(([name, f]) => row([name, n0(f.spansPerCpuSec), n0(f.spansPerSec), n0(f.bytesPerSpan), ratio(base, f.spansPerCpuSec)])),
  ];
}

/** The report as markdown: machine, targets with PASS/FAIL, then the detail tables. */
export function markdown(r: BenchReport): string {
  const m = r.machine;
  const out = [
    `# vigil benchmark — ${r.startedAt}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel}. Load generator and sink on the same machine.`,
    `Load average (1 min) at start ${n2(m.loadAtStart)}, at end ${n2(m.loadAtEnd ?? NaN)}. It counts runnable threads (generator, sink, each daemon's one or two, the broker's), so only the value at start says whether other work shared the cores: well above 1 means it did.`,
    `Settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`,
    '',
    '## Targets',
    '',
    row(['target', 'measured', 'wanted', 'result']),
    row(['---', '---:', '---:', '---']),
    ...r.checks.map((c) => row([c.name, `${fmt(c.value, c.unit)} ${c.unit}`, `${c.op} ${fmt(c.target, c.unit)}`, c.pass ? 'PASS' : '**FAIL**'])),
  ];
  if (r.compare) out.push('', `## Side by side with otelcol (${r.compare.otelcol})`, '', ...compareTable(ratioTable(r.compare.runs), r.compare.repetitions));
  if (r.forwarding.length > 0) out.push('', '## Forwarding: otlp → batch → otlp_grpc → counting sink', '', ...forwardingTable(r.forwarding));
  for (const f of r.forwarding) {
    if (f.sustained) {
      out.push('', `Sustained-rate search (${f.transport}, ${f.daemons} daemon(s); closed loop acked ${n0(f.saturation.ackRate)} spans/s but forwarded ${n0(f.saturation.sinkRate)}): ` +
        f.sustained.steps.map((s) => `${n0(s.offered)} offered → ${n0(s.ackRate)} acked, ${n0(s.sinkRate)} forwarded (${s.kept ? 'kept pace' : 'fell behind'})`).join('; ') + '.');
    }
    if (f.burst) {
      const secs = (ms: number | null): string => (ms === null ? 'not exported' : ms < 0 ? 'not within 60 s' : `${n2(ms / 1000)} s`);
      out.push('', `Burst (${f.transport}, ${f.daemons} daemon(s)): ${n0(f.burst.offered)} spans/s offered for ${f.burst.durationMs / 1000} s, ` +
        `${n0(f.burst.measured.ackRate)} acked/s (${f.burst.measured.phase.refusedRequests} requests refused); after the burst the sink had every ` +
        `acknowledged span in ${secs(f.burst.lagMs)}, consumer-lag gauge at zero in ${secs(f.burst.gaugeLagMs)}.`);
    }
  }
  if (r.file) {
    const f = r.file;
    out.push('', '## File: otlp → batch → file', '', `${n0(f.spansPerSec)} spans/s written (file growth over the window; ${n0(f.fileSpans)} spans in ${n1(f.fileBytes / MIB)} MiB after the flush, ` +
      `${n0(f.ackedTotal)} acknowledged); generator acked ${n0(f.saturation.ackRate)} spans/s; daemon ${n2(f.saturation.daemonCoreShare)} cores; exit ${f.exitCode}.`);
  }
  if (r.fileSteady) out.push('', ...steadySection(r.fileSteady));
  if (r.fileSteadyOtelcol) out.push('', ...steadySection(r.fileSteadyOtelcol));
  if (r.decode) {
    out.push('', '## Decode-only ceiling (one core, 512-span request)', '',
      `validate/count (decodeProtobuf): ${n0(r.decode.decodeSpansPerSec)} spans/s; to OTLP/JSON: ${n0(r.decode.toJsonSpansPerSec)} spans/s; split by trace: ${n0(r.decode.splitSpansPerSec)} spans/s.`);
    out.push('', ...codecTable(r.decode.comparison));
  }
  if (r.anomaly) out.push('', ...anomalySection(r.anomaly));
  out.push(...rulesSections(r.ruleEval, r.alertLatency));
  if (r.errors.length > 0) out.push('', '## Errors', '', ...r.errors.map((e) => `- ${e.replace(/\n/g, '\n  ')}`));
  out.push('', 'Throughput is spans counted at the sink (or written to the file) per second of the steady window, warm-up excluded; refused requests are not throughput. ' +
    'CPU and RSS are read from /proc for the daemon process (worker threads included; child processes added). Latency is send → OK per request, exact percentiles.');
  return `${out.join('\n')}\n`;
}

function steadySection(f: FileSteadyResult): string[] {
  const m = f.measured;
  return [
    `## File, steady (${f.system}): otlp → batch (${STEADY_BATCH}) → file at ${n0(f.offered)} spans/s for ${f.durationMs / 1000} s`, '',
    `Spans written per second: min ${n0(f.min)}, median ${n0(f.median)}, max ${n0(f.max)} (${f.seconds.length} seconds); ` +
      `generator acked ${n0(m.ackRate)} spans/s, ${m.phase.refusedRequests} requests refused, ${m.phase.errorRequests} errors, ${m.phase.lateRequests} sent late; ` +
      `daemon ${n2(m.daemonCoreShare)} cores, ${n2(f.cpuPerMillion)} CPU s per million spans, peak RSS ${n1(m.daemonHwmBytes / MIB)} MiB; ` +
      `${n0(f.fileSpans)} spans in the file, ${n0(f.ackedTotal)} acknowledged; exit ${f.exitCode}.`, '',
    `Per second: ${f.seconds.map((s) => n0(s.spans)).join(' ')}`,
  ];
}
