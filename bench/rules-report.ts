/** Issue 12's targets and report sections: rule evaluation throughput (`rule-eval`) and breach → notification latency (`alert-latency`). */
import type { AlertLatencyResult } from './alert-latency.js';
import type { Check } from './report.js';
import type { RuleEvalResult } from './rule-eval.js';

const MIB = 1024 * 1024;
const n0 = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const s2 = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '–');

function check(name: string, value: number, unit: string, op: Check['op'], target: number): Check {
  return { name, value, unit, op, target, pass: op === '>=' ? value >= target : value <= target };
}

/**
 * Issue 12: one round of 100 rules over 100,000 series within the 15 s interval on one core (and,
 * since the same core also ingests, the interval's ingest plus its round too); p99 breach →
 * notification within `for` + 2 s.
 */
export function rulesChecks(ruleEval?: RuleEvalResult, latency?: AlertLatencyResult): Check[] {
  const out: Check[] = [];
  if (ruleEval) {
    const who = `${ruleEval.rules} rules over ${n0(ruleEval.series)} series`;
    out.push(check(`rule-eval: ${who}, one evaluation round (median)`, ruleEval.roundMedianMs / 1000, 's', '<=', ruleEval.intervalS));
    out.push(check(`rule-eval: one interval's ingest + its round, on one thread`, (ruleEval.ingestPerIntervalMs + ruleEval.roundMedianMs) / 1000, 's', '<=', ruleEval.intervalS));
  }
  if (latency) {
    out.push(check(`alert-latency: every breaching series notified`, latency.notified, 'alerts', '>=', latency.alerts));
    out.push(check(`alert-latency: p99 breaching point → webhook (for: ${latency.forS}s, interval ${latency.intervalS}s)`, latency.p99Ms / 1000, 's', '<=', latency.forS + 2));
  }
  return out;
}

/** The markdown sections of whichever of the two ran. */
export function rulesSections(ruleEval?: RuleEvalResult, latency?: AlertLatencyResult): string[] {
  const out: string[] = [];
  if (ruleEval) {
    const r = ruleEval;
    const measured = r.rounds.filter((x) => x.measured);
    out.push('', `## Rule evaluation: ${r.rules} rules (${r.recordingRules} recording) over ${n0(r.series)} series through alert_rules, one thread`, '',
      `${r.services} services × 2,000 series, one OTLP request per service every ${r.intervalS} s of event time (${r.scrapes} scrapes); ` +
      `rounds measured once the rules' widest range (5m) had its history: ${measured.length}.`, '',
      '| figure | value |', '| --- | ---: |',
      `| round, median (wall) | ${s2(r.roundMedianMs)} s |`,
      `| round, slowest (wall) | ${s2(r.roundMaxMs)} s |`,
      `| round, median CPU | ${s2(r.roundCpuMedianMs)} s |`,
      `| margin to the ${r.intervalS} s interval (median round) | ${s2(r.intervalS * 1000 - r.roundMedianMs)} s |`,
      `| ingest: data points/s (wall) | ${n0(r.pointsPerSec)} |`,
      `| ingest: samples/s into the rule storage (wall) | ${n0(r.samplesPerSec)} |`,
      `| ingest: CPU-s over wall-s | ${(r.ingestCpuS / r.ingestWallS).toFixed(2)} |`,
      `| ingest of one interval's ${n0(r.services * 1280)} points | ${s2(r.ingestPerIntervalMs)} s |`,
      `| heap used after the last round | ${n0(r.heapUsedBytes / MIB)} MiB |`,
      `| heap live after a full GC then (store and state) | ${n0(r.liveHeapBytes / MIB)} MiB |`,
      `| peak RSS of the bench process | ${n0(r.peakRssBytes / MIB)} MiB |`,
      `| firing alert records over the run | ${n0(r.firingAlerts)} |`, '',
      `Every round (s after the first scrape: wall ms / CPU ms): ${r.rounds.map((x) => `${x.atS}: ${n0(x.wallMs)}/${n0(x.cpuMs)}`).join(', ')}.`);
  }
  if (latency) {
    const l = latency;
    out.push('', `## Alert latency: breaching point → webhook, daemon (otlp → alert_rules → events → webhook)`, '',
      `${l.alerts} series breaching ${l.staggerMs} ms apart; \`for: ${l.forS}s\`, group interval ${l.intervalS} s; a request every ${l.tickMs} ms stamped with the wall clock. ` +
      `Notified ${l.notified} of ${l.alerts}; other webhook requests (duplicates, resolves) ${l.otherRequests}; daemon exit ${String(l.exitCode)}.`, '',
      '| figure | s |', '| --- | ---: |',
      `| p50 | ${s2(l.p50Ms)} |`, `| p99 | ${s2(l.p99Ms)} |`, `| min | ${s2(l.minMs)} |`, `| max | ${s2(l.maxMs)} |`,
      `| p99 − for | ${s2(l.p99OverForMs)} |`, `| OTLP request → response, p99 | ${s2(l.ackP99Ms)} |`, '',
      'Latency ≥ `for` by construction: the breach is seen at the next evaluation (an interval boundary of event time), which starts `for`; ' +
      `the alert fires at the first evaluation \`for\` later, run when the next request moves the watermark past that boundary. So ${l.intervalS} s of interval and up to ${l.tickMs} ms between requests are part of it.`);
  }
  return out;
}
