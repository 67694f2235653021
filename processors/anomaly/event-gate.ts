/**
 * When a score raises an event: at or above the model's threshold, which rises with the model's own
 * recent events, and not within the refractory period after its last event. Kept as three doubles
 * (event time of the last point, of the last event, the event load) wherever a model keeps its
 * numbers: a series model in its block.
 */

/** The settings the gate reads (ModelOptions has them). */
export interface GateOptions {
  readonly threshold: number;
  /** Event time (ms) after an event during which the model raises no other. */
  readonly refractoryMs: number;
  /** How much each event raises the threshold, and the half-life (event time) of that rise. */
  readonly thresholdRise: { readonly perEvent: number; readonly halfLifeMs: number };
}

/** Doubles of a gate: the last point's event time, the last event's, the event load as of the last event. */
export const GATE_DOUBLES = 3;

/** Checkpointed state of a gate. */
export interface GateState {
  readonly lastMs?: number;
  readonly lastEventMs?: number;
  /** Decayed count of the model's events as of `lastEventMs` (drives the threshold's rise). */
  readonly eventLoad?: number;
}

/** Loads a gate's state into `f` at `at` (NaN: no time yet). */
export function loadGate(f: Float64Array, at: number, state: GateState | undefined): void {
  f[at] = state?.lastMs ?? NaN;
  f[at + 1] = state?.lastEventMs ?? NaN;
  f[at + 2] = state?.eventLoad ?? 0;
}

/** The gate's state as JSON-able data. */
export function saveGate(f: Float64Array, at: number): GateState {
  return { lastEventMs: known(f[at + 1]!), eventLoad: f[at + 2]!, lastMs: known(f[at]!) };
}

/** The event time of the last point the gate saw (ms). */
export function lastSeenMs(f: Float64Array, at: number): number | undefined {
  return known(f[at]!);
}

/**
 * The threshold at `tMs` and whether `score` raises an event there; notes the point (and the event).
 * The model's events, each decayed by its age (half-life `thresholdRise.halfLifeMs`), raise its
 * threshold: a model that keeps raising events is telling us those surprises are its normal, so its
 * bar rises (alert-fatigue control, as alerting systems back off); it falls back as it stays quiet.
 */
export function passGate(o: GateOptions, f: Float64Array, at: number, score: number | undefined, tMs: number): { threshold: number; event: boolean } {
  f[at] = tMs;
  const lastEventMs = f[at + 1]!;
  const eventLoad = f[at + 2]!;
  const halfLifeMs = o.thresholdRise.halfLifeMs;
  const load = Number.isNaN(lastEventMs) || eventLoad === 0 || halfLifeMs <= 0 ? 0 : eventLoad * 0.5 ** (Math.max(0, tMs - lastEventMs) / halfLifeMs);
  const threshold = o.threshold + o.thresholdRise.perEvent * load;
  // No last event (NaN) fails both comparisons: not within a refractory period.
  if (score === undefined || !(score >= threshold) || (tMs - lastEventMs < o.refractoryMs && tMs >= lastEventMs)) return { threshold, event: false };
  f[at + 1] = tMs;
  f[at + 2] = load + 1;
  return { threshold, event: true };
}

/** A time kept as a double, NaN when there is none. */
function known(ms: number): number | undefined {
  return Number.isNaN(ms) ? undefined : ms;
}
