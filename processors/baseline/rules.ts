/**
 * Degradation rules: does a point's deviation from its baseline break a rule, for long enough, on
 * enough calls? One `Breach` per series and rule remembers since when it holds, when it last
 * raised an event, and the evidence (exemplar spans) gathered while it held.
 */
import type { Rule } from './config.js';
import type { Estimate } from './stats.js';

/** Trace ids kept as evidence, at most. */
export const MAX_EVIDENCE = 5;

/** A span behind a breach: its trace id and the exemplar's value (a latency, for RED metrics). */
export interface Evidence { readonly traceId: string; readonly value: number }

/** A rule's state on one series (checkpointed with it). */
export interface Breach {
  /** Event time (ms) since which the rule holds without a break. */
  since: number;
  /** Event time of the last event raised for this breach. */
  lastEventMs?: number;
  /** The slowest spans seen while it held (value descending). */
  evidence: Evidence[];
}

/** What judging one point gave. */
export interface Judgement {
  /** The rule holds on this point. */
  readonly holds: boolean;
  /** The amount the rule allows (in the metric's unit) and by how many times the point exceeds it. */
  readonly allowed: number;
  readonly excess: number;
}

/** Whether `value` breaks `rule` against `e`; `volume` is the point's calls (undefined: not known). */
export function judge(rule: Rule, value: number, e: Estimate, volume: number | undefined): Judgement {
  const allowed = rule.relative !== undefined ? rule.relative * Math.abs(e.expected) : rule.absolute!;
  const delta = rule.direction === 'up' ? value - e.expected : e.expected - value;
  const excess = allowed > 0 ? delta / allowed : 0;
  const enough = volume === undefined || volume >= rule.min_calls;
  return { holds: enough && allowed > 0 && delta >= allowed, allowed, excess };
}

/** Severity from how many times the allowed amount the point deviates: warning, error at 2×, critical at 4×. */
export function severityOf(excess: number): { text: 'warning' | 'error' | 'critical'; number: number } {
  if (excess >= 4) return { text: 'critical', number: 21 };
  if (excess >= 2) return { text: 'error', number: 17 };
  return { text: 'warning', number: 13 };
}

/**
 * Steps a rule's breach by one judged point at `tMs`: returns the breach (undefined once the rule no
 * longer holds) and whether to raise an event now — the rule has held for `for` and raised none
 * within `repeatMs`.
 */
export function step(prev: Breach | undefined, holds: boolean, tMs: number, rule: Rule, repeatMs: number, evidence: readonly Evidence[]): { breach: Breach | undefined; raise: boolean } {
  if (!holds) return { breach: undefined, raise: false };
  const breach: Breach = prev ? { ...prev, evidence: mergeEvidence(prev.evidence, evidence) } : { since: tMs, evidence: mergeEvidence([], evidence) };
  if (tMs - breach.since < rule.for) return { breach, raise: false };
  if (breach.lastEventMs !== undefined && tMs - breach.lastEventMs < repeatMs && tMs >= breach.lastEventMs) return { breach, raise: false };
  breach.lastEventMs = tMs;
  return { breach, raise: true };
}

/** The MAX_EVIDENCE highest-valued spans of both lists, each trace once. */
export function mergeEvidence(a: readonly Evidence[], b: readonly Evidence[]): Evidence[] {
  const best = new Map<string, Evidence>();
  for (const e of [...a, ...b]) {
    const seen = best.get(e.traceId);
    if (!seen || e.value > seen.value) best.set(e.traceId, e);
  }
  return [...best.values()].sort((x, y) => y.value - x.value).slice(0, MAX_EVIDENCE);
}
