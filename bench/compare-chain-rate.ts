/**
 * The analytics chain at offered rates each system keeps up with (`chain-rate`, issue 10's ratios).
 *
 * At saturation the two systems are not measured alike: otelcol acknowledges far more spans a second
 * than its tail sampler decides (it drops traces past `num_traces` and keeps a fraction of what the
 * policies ask), while vigil's stage log holds what it has not processed yet. Neither ratio means
 * much there. So each system climbs the same ladder of fixed offered rates, a fresh daemon per step,
 * and a step counts as sustained only when the system did everything asked at that rate:
 * - acknowledged at least 95 % of the offered spans, refusing none;
 * - kept (spans reaching the sink in the window) at least 90 % of what the policies keep of them;
 * - kept at least 90 % of that share over the whole run, once decided (no trace dropped);
 * - drained within decision_wait + 4 s of the load's end (no backlog).
 * Its sustained throughput is the highest rate it passed; its CPU per span is read at the highest
 * rate both systems passed, so the two are compared at the same work.
 */
import { chainRun, DECISION_WAIT_MS, type ChainMeasure } from './compare-chain.js';
import { FORCED_SHARE } from './chain-requests.js';
import { PROBABILISTIC_PERCENT } from './chain-config.js';
import type { BenchContext } from './scenarios.js';

/** The share of spans the chain's policies keep: the forced fifth, and the probabilistic share of the rest (0.28). */
export const EXPECTED_KEPT_SHARE = FORCED_SHARE + (1 - FORCED_SHARE) * PROBABILISTIC_PERCENT / 100;
const FIRST_RATE = 20_000;
const STEP = 1.5;
const MAX_RATE = 400_000;
const DRAIN_SLACK_S = 4;

/** One rung of the ladder. */
export interface RateStep {
  rate: number;
  sustained: boolean;
  /** Why it did not count (empty when sustained). */
  why: string;
  measure?: ChainMeasure;
}

/** Whether a run at `rate` did everything asked of it; the reasons it did not. */
export function verdict(rate: number, c: ChainMeasure): string[] {
  const why: string[] = [];
  const p = c.measured.phase;
  const ack = c.measured.ackRate;
  if (p.refusedRequests > 0 || p.errorRequests > 0) why.push(`${p.refusedRequests} requests refused, ${p.errorRequests} failed`);
  if (ack < 0.95 * rate) why.push(`acknowledged ${Math.round(ack)} of ${rate} spans/s`);
  if (c.keptPerSec < 0.9 * EXPECTED_KEPT_SHARE * ack) why.push(`kept ${Math.round(c.keptPerSec)} spans/s in the window, ${Math.round(EXPECTED_KEPT_SHARE * ack)} asked`);
  if (c.keptShare < 0.9 * EXPECTED_KEPT_SHARE) why.push(`kept ${(c.keptShare * 100).toFixed(1)} % overall, ${(EXPECTED_KEPT_SHARE * 100).toFixed(0)} % asked`);
  if (c.drainSeconds > DECISION_WAIT_MS / 1000 + DRAIN_SLACK_S) why.push(`drained ${c.drainSeconds.toFixed(1)} s after the load`);
  return why;
}

async function step(ctx: BenchContext, otelcol: string | undefined, rate: number, label: string): Promise<RateStep> {
  let out: RateStep;
  try {
    const measure = await chainRun(ctx, otelcol, undefined, rate);
    const why = verdict(rate, measure);
    out = { rate, sustained: why.length === 0, why: why.join('; '), measure };
  } catch (err) {
    out = { rate, sustained: false, why: err instanceof Error ? err.message : String(err) };
  }
  ctx.log(`${label} ${rate} spans/s: ${out.sustained ? 'sustained' : `not sustained (${out.why})`}`);
  return out;
}

/**
 * Climbs from 20,000 spans/s by ×1.5 until a rate is not sustained, then tries once between the last
 * rate sustained and that one. Every rate the system ran, in order.
 */
export async function chainLadder(ctx: BenchContext, otelcol: string | undefined, label: string): Promise<RateStep[]> {
  const steps: RateStep[] = [];
  let rate = FIRST_RATE;
  for (;;) {
    const s = await step(ctx, otelcol, rate, label);
    steps.push(s);
    if (!s.sustained || rate * STEP > MAX_RATE) break;
    rate = Math.round(rate * STEP / 1000) * 1000;
  }
  const failed = steps[steps.length - 1]!;
  const passed = steps.length > 1 ? steps[steps.length - 2]! : undefined;
  if (!failed.sustained && passed) steps.push(await step(ctx, otelcol, Math.round(Math.sqrt(passed.rate * failed.rate) / 1000) * 1000, label));
  return steps;
}

/** The highest rate sustained (0 when none was). */
export function sustainedRate(steps: readonly RateStep[]): number {
  return Math.max(0, ...steps.filter((s) => s.sustained).map((s) => s.rate));
}

/** The highest rate both ladders sustained (0 when there is none). */
export function matchedRate(a: readonly RateStep[], b: readonly RateStep[]): number {
  const inB = new Set(b.filter((s) => s.sustained).map((s) => s.rate));
  return Math.max(0, ...a.filter((s) => s.sustained && inB.has(s.rate)).map((s) => s.rate));
}
