/**
 * sampling_strategy "span-ingest" (otelcol's makeDecisionOnSpanIngest): the (stateless) policies
 * look at each arriving part of a trace on its own; a sample or a drop decides the trace at once,
 * anything else waits, and a trace still undecided at its decision time is not sampled. A drop
 * policy that did not drop keeps every later policy from sampling at ingest.
 */
import type { SpanRun } from '../../pdata/trace-index.js';
import { traceIdOf, type PendingTrace } from './pending.js';
import type { Decision, TraceData } from './policies.js';
import { resourcesOf } from './trace-view.js';
import type { Shared } from './worker.js';

/** The decision for a trace from one arriving part, or undefined to wait. */
export function spanIngestDecision(s: Shared, t: PendingTrace, run: SpanRun): Decision | undefined {
  let resources: ReturnType<typeof resourcesOf> | undefined;
  const data: TraceData = {
    traceId: traceIdOf(t), spanCount: t.spanCount, sizeBytes: t.sizeBytes, nowMs: Date.now(),
    resources: () => (resources ??= resourcesOf([run])),
  };
  let dropPending = false;
  for (const p of s.policies) {
    if (!p.drop && dropPending) break;
    const d = p.evaluate(data);
    s.metrics.policyAnswer(p.name, d);
    if (d === 'dropped') { s.metrics.decided(d); return d; }
    if (p.drop) { dropPending = true; continue; }
    if (d === 'sampled') { s.metrics.decided(d); return d; }
  }
  return undefined;
}
