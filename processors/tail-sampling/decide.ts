/**
 * Which decision wins for a trace, as otelcol's makeDecision: drop policies are evaluated first
 * (config order otherwise); a `dropped` answer wins and stops the evaluation; otherwise any
 * `sampled` answer samples (with sample_on_first_match the first one stops the evaluation); else
 * the trace is not sampled. Each policy's answer is counted for the per-policy self-metrics.
 */
import type { Policy } from './policy-config.js';
import { evaluatorOf, type Decision, type Evaluator, type TraceData } from './policies.js';

/** One configured policy, ready to evaluate. */
export interface NamedPolicy {
  readonly name: string;
  readonly evaluate: Evaluator;
  /** A `drop` policy (evaluated first). */
  readonly drop: boolean;
}

/** The outcome for one trace: the decision, the policy that made it, and every policy's answer. */
export interface Outcome {
  readonly decision: Decision;
  readonly policy: string | undefined;
  readonly answers: ReadonlyArray<{ readonly policy: string; readonly decision: Decision }>;
}

/** The policies in evaluation order: drop policies first, as otelcol orders them. */
export function buildPolicies(configs: readonly Policy[]): NamedPolicy[] {
  const named = configs.map((p) => ({ name: p.name, evaluate: evaluatorOf(p), drop: p.type === 'drop' }));
  return [...named.filter((p) => p.drop), ...named.filter((p) => !p.drop)];
}

/** Decides one trace. */
export function decide(policies: readonly NamedPolicy[], trace: TraceData, sampleOnFirstMatch: boolean): Outcome {
  const answers: Array<{ policy: string; decision: Decision }> = [];
  let dropped: string | undefined;
  let sampled: string | undefined;
  for (const p of policies) {
    const decision = p.evaluate(trace);
    answers.push({ policy: p.name, decision });
    if (decision === 'dropped') { dropped = p.name; break; }
    if (decision === 'sampled') {
      sampled ??= p.name;
      if (sampleOnFirstMatch) break;
    }
  }
  if (dropped !== undefined) return { decision: 'dropped', policy: dropped, answers };
  if (sampled !== undefined) return { decision: 'sampled', policy: sampled, answers };
  return { decision: 'not_sampled', policy: undefined, answers };
}
