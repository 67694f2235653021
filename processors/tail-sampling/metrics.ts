/**
 * The tail_sampling self-metrics, with otelcol's names (its metadata.yaml) and label names, so its
 * dashboards work: traces sampled or not per policy and overall, new traces, late spans released
 * by a cached decision, the traces held, the decision timer's latency, the age of late spans. vigil
 * adds `processor` (the component id) and one metric of its own: traces decided before their
 * decision_wait because memory was full (otelcol drops those; vigil decides them).
 *
 * They are registered in the service's registry on first use and shared by every tail_sampling
 * instance (one per pipeline, and per thread), which tell themselves apart by `processor`.
 *
 * The per-trace counts (new traces, each policy's answer, the decision, the traces held) are kept in
 * plain numbers and added to prom-client's metrics when they are read (their `collect`, before every
 * scrape): prom-client hashes and validates the labels at every `inc`, seven times a trace, which on
 * issue 10's chain was ~3 % of the daemon's CPU.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Decision } from './policies.js';

const P = 'otelcol_processor_tail_sampling_';
/** otelcol's buckets of the decision timer latency, in ms. */
const TIMER_BUCKETS = [1, 2, 5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 50000];
const AGE_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/** Why a trace was decided before its decision_wait. */
export type EarlyReason = 'num_traces' | 'held_bytes' | 'shutdown';

/** Each registry's instances, whose buffered counts a read of any of their metrics first adds in. */
const buffered = new WeakMap<Registry, Set<TailSamplingMetrics>>();

function flushAll(registry: Registry): void {
  for (const m of buffered.get(registry) ?? []) m.flush();
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  return existing instanceof Counter ? existing : new Counter({ name, help, labelNames, registers: [registry], collect: () => flushAll(registry) });
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Gauge<L> {
  const existing = registry.getSingleMetric(name);
  return existing instanceof Gauge ? existing : new Gauge({ name, help, labelNames, registers: [registry], collect: () => flushAll(registry) });
}

/** Increments of one label set, not yet added to their counter. */
interface Buffered<L extends string> {
  readonly labels: Partial<Record<L, string>>;
  n: number;
}

function histogram<L extends string>(registry: Registry, name: string, help: string, labelNames: L[], buckets: number[]): Histogram<L> {
  const existing = registry.getSingleMetric(name);
  return existing instanceof Histogram ? existing : new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

/** otelcol's `sampled` and `decision` labels of a decision. */
export function decisionLabels(d: Decision): { sampled: 'true' | 'false'; decision: Decision } {
  return { sampled: d === 'sampled' ? 'true' : 'false', decision: d };
}

/** The metrics of one tail_sampling instance, bound to its component id. */
export class TailSamplingMetrics {
  private readonly tracesByPolicy;
  private readonly tracesGlobal;
  private readonly cacheReleases;
  private readonly newTraces;
  private readonly timerLatency;
  private readonly lateSpanAge;
  private readonly onMemory;
  private readonly tooLarge;
  private readonly early;
  private held = 0;
  private heldShown = 0;
  private newCount = 0;
  /** By `policy|decision`, and by decision. */
  private readonly answers = new Map<string, Buffered<'processor' | 'policy' | 'sampled' | 'decision'>>();
  private readonly decisions = new Map<Decision, Buffered<'processor' | 'sampled' | 'decision'>>();

  /** `policyPrefix` is otelcol's: the component's name (after the slash) and a dot, or "" when it has none. */
  constructor(registry: Registry, private readonly processor: string, private readonly policyPrefix: string) {
    this.tracesByPolicy = counter(registry, `${P}count_traces_sampled_total`, 'Count of traces that were sampled or not per sampling policy', ['processor', 'policy', 'sampled', 'decision']);
    this.tracesGlobal = counter(registry, `${P}global_count_traces_sampled_total`, 'Global count of traces that were sampled or not by at least one policy', ['processor', 'sampled', 'decision']);
    this.cacheReleases = counter(registry, `${P}early_releases_from_cache_decision_total`, 'Number of spans that were able to be immediately released due to a decision cache hit.', ['processor', 'sampled']);
    this.newTraces = counter(registry, `${P}new_trace_id_received_total`, 'Counts the arrival of new traces', ['processor']);
    this.timerLatency = histogram(registry, `${P}sampling_decision_timer_latency`, 'Latency (in milliseconds) of each run of the sampling decision timer', ['processor'], TIMER_BUCKETS);
    this.lateSpanAge = histogram(registry, `${P}sampling_late_span_age`, 'Time (in seconds) from the sampling decision was taken and the arrival of a late span', ['processor'], AGE_BUCKETS);
    this.onMemory = gauge(registry, `${P}sampling_traces_on_memory`, 'Tracks the number of traces current on memory', ['processor']);
    this.tooLarge = counter(registry, `${P}traces_dropped_too_large_total`, 'Count of traces that were dropped because they were too large', ['processor']);
    this.early = counter(registry, 'vigil_processor_tail_sampling_early_decisions_total', 'Traces decided before their decision_wait because num_traces or the held bytes were reached, or at shutdown.', ['processor', 'reason']);
    this.onMemory.set({ processor }, 0);
    let mine = buffered.get(registry);
    if (!mine) buffered.set(registry, (mine = new Set()));
    mine.add(this);
  }

  /** Adds the buffered counts to the registry's metrics (run before each read of them). */
  flush(): void {
    if (this.newCount > 0) this.newTraces.inc({ processor: this.processor }, this.newCount);
    this.newCount = 0;
    for (const b of this.answers.values()) if (b.n > 0) { this.tracesByPolicy.inc(b.labels, b.n); b.n = 0; }
    for (const b of this.decisions.values()) if (b.n > 0) { this.tracesGlobal.inc(b.labels, b.n); b.n = 0; }
    if (this.held !== this.heldShown) this.onMemory.set({ processor: this.processor }, (this.heldShown = this.held));
  }

  /** One policy's answer for one trace. */
  policyAnswer(policy: string, d: Decision): void {
    const key = `${policy}|${d}`;
    let b = this.answers.get(key);
    if (!b) this.answers.set(key, (b = { labels: { processor: this.processor, policy: this.policyPrefix + policy, ...decisionLabels(d) }, n: 0 }));
    b.n++;
  }

  /** The final decision of one trace. */
  decided(d: Decision): void {
    let b = this.decisions.get(d);
    if (!b) this.decisions.set(d, (b = { labels: { processor: this.processor, ...decisionLabels(d) }, n: 0 }));
    b.n++;
  }

  /** Late spans handled by a decision made earlier. */
  cachedRelease(spans: number, sampled: boolean): void {
    this.cacheReleases.inc({ processor: this.processor, sampled: sampled ? 'true' : 'false' }, spans);
  }

  newTrace(): void {
    this.newCount++;
  }

  timerRun(ms: number): void {
    this.timerLatency.observe({ processor: this.processor }, ms);
  }

  lateSpan(ageSeconds: number): void {
    this.lateSpanAge.observe({ processor: this.processor }, ageSeconds);
  }

  /** A change in the number of undecided traces held (all partitions of this instance). */
  heldTraces(delta: number): void {
    this.held += delta;
  }

  droppedTooLarge(): void {
    this.tooLarge.inc({ processor: this.processor });
  }

  decidedEarly(reason: EarlyReason, traces: number): void {
    this.early.inc({ processor: this.processor, reason }, traces);
  }
}
