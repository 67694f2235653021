/**
 * The evidence a window keeps: the exemplars span_metrics puts on its duration points, reduced to
 * the few slowest and the few erroring spans, so an event about the window can link to its traces.
 */
import type { DataPointView } from '../../pdata/index.js';
import type { OpenWindow, WindowExemplar } from './state.js';

/** Exemplars kept per window and list (the "up to 5 trace ids"). */
export const MAX_EXEMPLARS = 5;
const MS = 1_000_000n;
const ERROR = 'STATUS_CODE_ERROR';

/** Adds the exemplars of a duration point of `win`: the slowest overall, and those of erroring spans. */
export function keepExemplars(win: OpenWindow, p: DataPointView): void {
  for (const e of p.exemplars) {
    if (e.traceId === '') continue;
    const x: WindowExemplar = { traceId: e.traceId, spanId: e.spanId, value: e.value, timeMs: Number(e.timeUnixNano / MS) };
    win.slowest = slowestOf(win.slowest ?? [], x);
    if (p.attributes['status.code'] === ERROR && (win.erroring ?? []).length < MAX_EXEMPLARS) win.erroring = [...(win.erroring ?? []), x];
  }
}

/** `list` (slowest first) with `x` in its place, at most MAX_EXEMPLARS long. */
export function slowestOf(list: readonly WindowExemplar[], x: WindowExemplar): WindowExemplar[] {
  if (list.some((e) => e.traceId === x.traceId && e.spanId === x.spanId)) return [...list];
  const out = [...list, x].sort((a, b) => b.value - a.value);
  return out.slice(0, MAX_EXEMPLARS);
}
