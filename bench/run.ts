/**
 * `npm run bench [-- --duration 10s --warmup 3s --only grpc,http,file,decode,file-steady --queue memory|kafka]`:
 * runs the scenarios against the real daemon, prints a markdown report with the issues' targets
 * and writes bench/results/latest.{json,md}. Entry point; the only file here that exits.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDuration } from '../config/types.js';
import { killAllDaemons, VIGIL } from './daemon.js';
import { LoadGen } from './ipc.js';
import { checks, machine, markdown, type BenchReport } from './report.js';
import { anomalyBench } from './anomaly.js';
import { anomalyChecks } from './anomaly-report.js';
import { decodeCeiling, filePipeline, forwarding, type BenchContext } from './scenarios.js';
import { fileSteady } from './file-steady.js';
import { COMPARE_PATHS, compareWithOtelcol, DEFAULT_COMPARE_PATHS, type ComparePath } from './compare.js';
import { peerBinary } from '../test/peer.js';
import { ruleEval, RULE_EVAL_DEFAULTS } from './rule-eval.js';
import { alertLatency, ALERT_LATENCY_DEFAULTS } from './alert-latency.js';
import { rulesChecks } from './rules-report.js';
import { portOpen } from '../test/services.js';
import type { Transport } from './transports.js';

const RESULTS = fileURLToPath(new URL('../../bench/results/', import.meta.url));
/** The default run (compare with the chain's rate ladder, 3 repetitions) takes ~40 minutes here. */
const WATCHDOG_MS = 90 * 60_000;
const SCENARIOS = ['grpc', 'http', 'file', 'file-compare', 'decode', 'compare', 'file-steady', 'chain', 'chain-rate', 'hold-traces', 'chain-kafka', 'chain-kafka-rate', 'forward-grpc', 'forward-http', 'steady-10k', 'kafka-20k', 'anomaly', 'rule-eval', 'alert-latency'];
/** compare's paths that can also be asked for by name; its `file` path as `file-compare` (`file` names vigil's own file scenario). */
const BY_NAME: readonly ComparePath[] = COMPARE_PATHS.filter((p) => p !== 'file');
const FILE_COMPARE = 'file-compare';
/** Scenarios that need no load generator: in this process (decode, anomaly, rule-eval) or with their own (alert-latency). */
const WITHOUT_LOADGEN = ['decode', 'anomaly', 'rule-eval', 'alert-latency'];
/** What runs without --only: file-steady takes minutes, so it is asked for by name. */
const DEFAULT_SCENARIOS = ['grpc', 'http', 'file', 'decode', 'compare'];

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10s' },
      'steady-duration': { type: 'string', default: '2m' },
      rate: { type: 'string', default: '40000' },
      warmup: { type: 'string', default: '3s' },
      only: { type: 'string' },
      queue: { type: 'string', default: 'memory' },
      brokers: { type: 'string', default: 'localhost:9092' },
      partitions: { type: 'string', default: '8' },
      compression: { type: 'string' },
      burst: { type: 'string', default: '10s' },
      concurrency: { type: 'string', default: '8' },
      repeat: { type: 'string', default: '3' },
      daemons: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'node-flags': { type: 'string', default: '' },
      'rule-services': { type: 'string', default: String(RULE_EVAL_DEFAULTS.services) },
      alerts: { type: 'string', default: String(ALERT_LATENCY_DEFAULTS.alerts) },
      'alert-for': { type: 'string', default: `${ALERT_LATENCY_DEFAULTS.forS}s` },
      'rule-interval': { type: 'string', default: `${ALERT_LATENCY_DEFAULTS.intervalS}s` },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('usage: npm run bench -- [--duration 10s] [--warmup 3s] [--only grpc,http,file,file-compare,decode,compare,file-steady,chain,chain-rate,hold-traces,chain-kafka,chain-kafka-rate,forward-grpc,forward-http,steady-10k,kafka-20k,anomaly,rule-eval,alert-latency] [--rule-services 50] [--alerts 100] [--alert-for 10s] [--rule-interval 1s] [--steady-duration 2m] [--rate 40000] [--queue memory|kafka] ' +
      '[--repeat 3 (compare)] [--brokers host:port,...] [--partitions 8] [--compression none|gzip|zstd] [--burst 10s] [--concurrency 8] [--daemons 1,2] [--profile] [--node-flags=--max-semi-space-size=16] [--out DIR (default bench/results/, or bench/results/kafka/ with --queue kafka)]\n');
    process.exit(0);
  }
  const durationMs = parseDuration(values.duration);
  const warmupMs = parseDuration(values.warmup);
  const burstMs = parseDuration(values.burst);
  const steadyMs = parseDuration(values['steady-duration']);
  if (steadyMs === undefined || steadyMs < 5000) throw new Error('--steady-duration takes a duration of at least 5s, like 2m');
  const rate = Number(values.rate);
  if (!(rate >= 1000 && rate <= 1_000_000)) throw new Error('--rate is 1000..1000000 spans/s');
  if (durationMs === undefined || durationMs <= 0 || warmupMs === undefined || burstMs === undefined || burstMs <= 0) {
    throw new Error('--duration, --warmup and --burst take durations like 10s');
  }
  if (values.queue !== 'memory' && values.queue !== 'kafka') throw new Error('--queue is memory or kafka');
  const kafka = values.queue === 'kafka';
  const only = (values.only ?? (kafka ? 'grpc' : DEFAULT_SCENARIOS.join(','))).split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`--only: unknown scenario "${s}" (valid: ${SCENARIOS.join(', ')})`);
  const daemons = (values.daemons ?? (kafka ? '1,2' : '1')).split(',').map(Number);
  if (daemons.some((d) => !(d >= 1 && d <= 4))) throw new Error('--daemons takes counts between 1 and 4');
  const concurrency = Number(values.concurrency);
  if (!(concurrency >= 1 && concurrency <= 256)) throw new Error('--concurrency is 1..256');
  const repeat = Number(values.repeat);
  if (!(Number.isInteger(repeat) && repeat >= 1 && repeat <= 20)) throw new Error('--repeat is 1..20');
  const ruleServices = Number(values['rule-services']);
  if (!(Number.isInteger(ruleServices) && ruleServices >= 1 && ruleServices <= 500)) throw new Error('--rule-services is 1..500 (2,000 series each)');
  const alerts = Number(values.alerts);
  if (!(Number.isInteger(alerts) && alerts >= 1 && alerts <= 1000)) throw new Error('--alerts is 1..1000');
  const alertForMs = parseDuration(values['alert-for']);
  const ruleIntervalMs = parseDuration(values['rule-interval']);
  if (alertForMs === undefined || alertForMs < 0 || alertForMs % 1000 !== 0 || ruleIntervalMs === undefined || ruleIntervalMs < 1000 || ruleIntervalMs % 1000 !== 0) {
    throw new Error('--alert-for and --rule-interval take whole seconds, like 10s and 1s');
  }
  const partitions = Number(values.partitions);
  if (!(Number.isInteger(partitions) && partitions >= 1 && partitions <= 1024)) throw new Error('--partitions is 1..1024');
  return { durationMs, warmupMs, burstMs, steadyMs, rate, only, kafka, brokers: values.brokers.split(','), partitions, compression: values.compression, daemons, concurrency, repeat, profile: values.profile, nodeFlags: values['node-flags'].split(/\s+/).filter(Boolean), out: outDir(values.out, kafka),
    ruleServices, alerts, alertForS: alertForMs / 1000, ruleIntervalS: ruleIntervalMs / 1000 };
}

/** Whether a Kafka broker answers at `brokers` (the compare scenario's Kafka path runs only then, and says so otherwise). */
async function brokerUp(brokers: string[]): Promise<boolean> {
  const [host = 'localhost', port = '9092'] = (brokers[0] ?? '').split(':');
  const up = await portOpen(Number(port), 1000, host);
  if (!up) process.stderr.write(`bench: no Kafka broker at ${brokers.join(',')}: the compare scenario skips its Kafka paths, kafka-20k, chain-kafka and chain-kafka-rate (npm run services:up starts one)\n`);
  return up;
}

/** Where the report goes: --out, else bench/results/ (memory queue) or bench/results/kafka/, so neither run overwrites the other. */
function outDir(out: string | undefined, kafka: boolean): string {
  if (out === undefined) return kafka ? `${RESULTS}kafka/` : RESULTS;
  return out.endsWith('/') ? out : `${out}/`;
}

async function main(): Promise<number> {
  const opts = options();
  // issue 13's paths with `compare`, issue 10's chain paths by name: all side by side with otelcol.
  const comparePaths = opts.only.includes('compare') ? DEFAULT_COMPARE_PATHS
    : COMPARE_PATHS.filter((p) => (p === 'file' ? opts.only.includes(FILE_COMPARE) : BY_NAME.includes(p) && opts.only.includes(p)));
  const log = (line: string): void => void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const report: BenchReport = {
    startedAt: new Date().toISOString(), machine: machine(),
    settings: { queue: opts.kafka ? 'kafka' : 'memory', duration_s: opts.durationMs / 1000, warmup_s: opts.warmupMs / 1000, streams: opts.concurrency, spans_per_request: 512, only: opts.only.join('+'),
      ...(comparePaths.length > 0 ? { repeat: opts.repeat } : {}),
      ...(opts.only.includes('file-steady') ? { steady_s: opts.steadyMs / 1000, steady_rate: opts.rate } : {}),
      ...(opts.kafka ? { brokers: opts.brokers.join(','), partitions: opts.partitions, compression: opts.compression ?? 'default', burst_s: opts.burstMs / 1000 } : {}),
      ...(opts.nodeFlags.length > 0 ? { node_flags: opts.nodeFlags.join(' ') } : {}) },
    forwarding: [], checks: [], errors: [],
  };
  // Rule evaluation first, in this process, before anything else has grown its heap.
  if (opts.only.includes('rule-eval')) {
    log(`rule-eval: 100 rules over ${opts.ruleServices * 2000} series`);
    try {
      report.ruleEval = await ruleEval({ ...RULE_EVAL_DEFAULTS, services: opts.ruleServices, log });
    } catch (err) {
      report.errors.push(`rule-eval: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
  }
  // The decoder alone first, while nothing else competes for the core.
  if (opts.only.includes('decode')) {
    log('decode-only ceiling');
    report.decode = decodeCeiling();
  }
  // Issue 11's processor figures, in this process: no daemon, nothing else competing in it.
  if (opts.only.includes('anomaly')) {
    try {
      report.anomaly = await anomalyBench(log);
    } catch (err) {
      report.errors.push(`anomaly: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (opts.only.includes('alert-latency')) {
    if (!existsSync(VIGIL)) report.errors.push(`${VIGIL} does not exist: build with \`npx tsc -p .\``);
    else {
      try {
        report.alertLatency = await alertLatency({ ...ALERT_LATENCY_DEFAULTS, alerts: opts.alerts, forS: opts.alertForS, intervalS: opts.ruleIntervalS,
          nodeArgs: [...opts.nodeFlags, ...(opts.profile ? ['--cpu-prof', '--cpu-prof-dir', mkdirSync(`${opts.out}profiles`, { recursive: true }) ?? `${opts.out}profiles`] : [])], log });
      } catch (err) {
        report.errors.push(`alert-latency: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  const needsDaemon = opts.only.some((s) => !WITHOUT_LOADGEN.includes(s));
  if (needsDaemon && !existsSync(VIGIL)) report.errors.push(`${VIGIL} does not exist: build with \`npx tsc -p .\``);
  if (needsDaemon && existsSync(VIGIL)) {
    const gen = await LoadGen.start();
    const profileDir = `${opts.out}profiles`;
    if (opts.profile) mkdirSync(profileDir, { recursive: true });
    const ctx: BenchContext = {
      gen, warmupMs: opts.warmupMs, durationMs: opts.durationMs, burstMs: opts.burstMs, concurrency: opts.concurrency, log,
      queue: opts.kafka ? { type: 'kafka', brokers: opts.brokers, topicPrefix: 'vigil-bench', groupId: 'vigil-bench', partitions: opts.partitions, ...(opts.compression ? { compression: opts.compression } : {}) } : { type: 'memory' },
      // After the vigil command's own flags (its shebang), so a flag given here wins.
      nodeArgs: [...opts.nodeFlags, ...(opts.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
    };
    try {
      for (const transport of ['grpc', 'http'] as Transport[]) {
        if (!opts.only.includes(transport)) continue;
        for (const d of opts.daemons) {
          try {
            report.forwarding.push(await forwarding(ctx, transport, d));
          } catch (err) {
            report.errors.push(`${transport} ×${d}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
      if (opts.only.includes('file-steady') && !opts.kafka) {
        const steadyCtx = { ...ctx, durationMs: opts.steadyMs, rate: opts.rate };
        try {
          report.fileSteady = await fileSteady(steadyCtx, tmpdir());
        } catch (err) {
          report.errors.push(`file-steady: ${err instanceof Error ? err.message : String(err)}`);
        }
        try {
          report.fileSteadyOtelcol = await fileSteady(steadyCtx, tmpdir(), await peerBinary());
        } catch (err) {
          report.errors.push(`file-steady (otelcol): ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (comparePaths.length > 0 && !opts.kafka) {
        try {
          const otelcol = await peerBinary();
          const brokers = (comparePaths.some((p) => p === 'kafka-20k' || p === 'chain-kafka' || p === 'chain-kafka-rate')) && await brokerUp(opts.brokers) ? opts.brokers : undefined;
          const runs = await compareWithOtelcol(ctx, otelcol, opts.repeat, tmpdir(), brokers, (e) => report.errors.push(e), comparePaths);
          report.compare = { otelcol, repetitions: opts.repeat, runs };
        } catch (err) {
          report.errors.push(`compare: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (opts.only.includes('file') && !opts.kafka) {
        try {
          report.file = await filePipeline(ctx, tmpdir());
        } catch (err) {
          report.errors.push(`file: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    } finally {
      await gen.stop();
    }
  }
  report.machine.loadAtEnd = loadavg()[0]!;
  report.checks = [...checks(opts.kafka, report.forwarding, report.file, report.fileSteady, report.compare?.runs), ...anomalyChecks(report.anomaly), ...rulesChecks(report.ruleEval, report.alertLatency)];
  const md = markdown(report);
  process.stdout.write(md);
  mkdirSync(opts.out, { recursive: true });
  const json = JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  writeFileSync(`${opts.out}latest.json`, `${json}\n`);
  writeFileSync(`${opts.out}latest.md`, md);
  log(`wrote ${opts.out}latest.json and latest.md`);
  return report.errors.length > 0 ? 2 : report.checks.every((c) => c.pass) ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllDaemons();
    process.exit(130);
  });
}
process.once('exit', killAllDaemons);
setTimeout(() => {
  process.stderr.write(`bench: watchdog: run exceeded ${WATCHDOG_MS / 60_000} minutes\n`);
  killAllDaemons();
  process.exit(3);
}, WATCHDOG_MS).unref();

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    killAllDaemons();
    process.exitCode = 2;
  },
);
