/**
 * The service-level rollup (`service_rollup: true`): the windows of every operation of a service
 * (+ dimensions) summed into one window with span.name aggregated — calls and errors added, the
 * latency histograms merged (so its quantiles are the service's, not an average of quantiles),
 * the slowest and erroring spans pooled. Computed when the windows close, from the operation
 * windows themselves: it needs no state of its own, and an operation's series and its service's
 * are emitted in the same request, which is what the contribution measure (contribution.ts) needs.
 */
import { canonicalAttributes, type Attributes } from '../../pdata/index.js';
import { ROLLUP_ATTRIBUTE, ROLLED_UP_DIMENSION } from './contribution.js';
import { merge } from './distribution.js';
import { MAX_EXEMPLARS, slowestOf } from './exemplars.js';
import type { OpenWindow } from './state.js';

/** A service-level window per service + dimensions + window start among `windows`; `warn` is told when latencies cannot be merged. */
export function serviceRollups(windows: readonly OpenWindow[], warn: (why: string) => void): OpenWindow[] {
  const groups = new Map<string, OpenWindow>();
  const unmergeable = new Set<string>();
  for (const w of windows) {
    const attributes = rollupAttributes(w.attributes);
    const key = `${canonicalAttributes(attributes)}|${w.startMs}`;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { ...w, attributes, slowest: w.slowest ? [...w.slowest] : undefined, erroring: w.erroring ? [...w.erroring] : undefined });
      continue;
    }
    g.calls += w.calls;
    g.errors += w.errors;
    addLatency(g, w, () => { unmergeable.add(key); });
    for (const x of w.slowest ?? []) g.slowest = slowestOf(g.slowest ?? [], x);
    if (w.erroring) g.erroring = [...(g.erroring ?? []), ...w.erroring].slice(0, MAX_EXEMPLARS);
  }
  for (const key of unmergeable) {
    const g = groups.get(key);
    // A latency from part of the operations would be wrong, not approximate: the service has none this window.
    if (g) g.latency = undefined;
    warn('operations of one service have histograms of different bounds, kinds or units; no service latency for that window');
  }
  return [...groups.values()];
}

/** The attributes of the service-level series: span.name dropped, the rollup marker added. */
function rollupAttributes(a: Attributes): Attributes {
  const out: Record<string, Attributes[string]> = {};
  for (const [k, v] of Object.entries(a)) if (k !== ROLLED_UP_DIMENSION) out[k] = v;
  out[ROLLUP_ATTRIBUTE] = ROLLED_UP_DIMENSION;
  return out;
}

function addLatency(g: OpenWindow, w: OpenWindow, fail: () => void): void {
  if (w.latency === undefined) return;
  if (g.latency === undefined) { g.latency = w.latency; g.msPerUnit = w.msPerUnit; return; }
  const merged = g.msPerUnit === w.msPerUnit ? merge(g.latency, w.latency) : undefined;
  if (merged) g.latency = merged;
  else fail();
}
