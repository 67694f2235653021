/**
 * Config of the anomaly processor. Defaults (threshold, windows, refractory period) were chosen on
 * NAB's development half (eval/README.md) with one config for every series, no per-file tuning.
 */
import { z } from 'zod';
import { describe, duration, integer } from '../../config/types.js';
import type { DetectorName, ModelOptions } from './series-model.js';
import type { VectorOptions } from './vector-model.js';

/** The detectors, in the order they are listed. */
export const DETECTORS = ['robust_z', 'seasonal', 'isolation_forest'] as const satisfies readonly DetectorName[];
/** The default event threshold on `vigil.anomaly.score`. */
export const DEFAULT_THRESHOLD = 0.6;
/** After an event, a series raises no other for this long (event time). */
export const DEFAULT_REFRACTORY_MS = 24 * 3_600_000;

const fraction = (what: string) => z.number({ error: (iss) => `expected ${what} in [0, 1], got ${describe(iss.input)}` })
  .min(0, { error: 'must be at least 0' }).max(1, { error: 'must be at most 1' });

/** The anomaly processor's config schema; unknown keys are rejected. */
export const configSchema = z.strictObject({
  detectors: z.array(z.enum(DETECTORS, { error: (iss) => `expected one of ${DETECTORS.join(', ')}, got ${describe(iss.input)}` }))
    .min(1, { error: 'needs at least one detector' }).default([...DETECTORS]),
  threshold: fraction('a score').default(DEFAULT_THRESHOLD),
  refractory_period: duration().default(DEFAULT_REFRACTORY_MS),
  /** Each event raises the series' threshold by `per_event`, a rise that halves every `half_life` (event time). */
  threshold_rise: z.strictObject({
    per_event: fraction('a score').default(0.1),
    half_life: duration().default(72 * 3_600_000),
  }).default({ per_event: 0.1, half_life: 72 * 3_600_000 }),
  /** Metric names to score (gauges and sums); empty: every gauge and sum. */
  metrics: z.array(z.string()).default([]),
  /** Whether the input points go on downstream beside the scores (false: scores and events only). */
  pass_through: z.boolean().default(true),
  /** Whether anomaly events (OTLP log records) are emitted downstream. */
  events: z.boolean().default(true),
  robust_z: z.strictObject({
    window: integer(8, 100_000).default(288),
    min_points: integer(2).default(48),
  }).default({ window: 288, min_points: 48 }),
  seasonal: z.strictObject({
    period: duration().default(24 * 3_600_000),
    slot: duration().default(3_600_000),
    alpha: fraction('a weight').default(0.1),
    min_per_slot: integer(1).default(3),
  }).default({ period: 24 * 3_600_000, slot: 3_600_000, alpha: 0.1, min_per_slot: 3 }),
  isolation_forest: z.strictObject({
    trees: integer(1, 1000).default(24),
    sample_size: integer(8, 4096).default(32),
    rebuild_every: integer(1).default(128),
    min_points: integer(8).default(128),
    seed: integer(0, 2 ** 32 - 1).default(1),
  }).default({ trees: 24, sample_size: 32, rebuild_every: 128, min_points: 128, seed: 1 }),
  calibration: z.strictObject({
    short_alpha: fraction('a weight').default(0.2),
    long_alpha: fraction('a weight').default(0.002),
    min_points: integer(1).default(200),
  }).default({ short_alpha: 0.2, long_alpha: 0.002, min_points: 200 }),
  /**
   * The stage log's key: `series` (each series alone, the finest spread), or an attribute (point,
   * else resource), e.g. `service.name`, which puts a service's operations beside its service-level
   * series so an event on that series can name the operation that contributed most.
   */
  /**
   * An extended isolation forest over each service's window (service-vectors.ts): latency p95, throughput
   * and error rate of red_indicators' service-level points (`service_rollup: true`) with the
   * service's latest value of each `extra_metrics` metric (CPU, memory) that it sends. The points of
   * one service meet only with `partition_by: service.name`.
   */
  service_forest: z.strictObject({
    enabled: z.boolean().default(true),
    extra_metrics: z.array(z.string().min(1)).default(['process.cpu.utilization', 'process.memory.usage']),
    trees: integer(1, 1000).default(64),
    sample_size: integer(8, 4096).default(64),
    rebuild_every: integer(1).default(64),
    min_points: integer(8).default(128),
  }).default({ enabled: true, extra_metrics: ['process.cpu.utilization', 'process.memory.usage'], trees: 64, sample_size: 64, rebuild_every: 64, min_points: 128 }),
  partition_by: z.string().min(1).default('series'),
  checkpoint_interval: duration().default(5_000),
  max_series: integer(1).default(100_000),
});

/** The parsed config: durations in milliseconds. */
export type Config = z.infer<typeof configSchema>;

/** The settings of the services' vector models (vector-model.ts). */
export function vectorOptions(c: Config): VectorOptions {
  const m = modelOptions(c);
  const s = c.service_forest;
  return { ...m, forest: { trees: s.trees, sampleSize: s.sample_size, rebuildEvery: s.rebuild_every, minPoints: s.min_points, seed: c.isolation_forest.seed } };
}

/** The per-series model settings a config describes. */
export function modelOptions(c: Config): ModelOptions {
  return {
    detectors: c.detectors,
    robustZ: { window: c.robust_z.window, minPoints: c.robust_z.min_points },
    seasonal: { periodMs: c.seasonal.period, slotMs: c.seasonal.slot, alpha: c.seasonal.alpha, minPerSlot: c.seasonal.min_per_slot },
    forest: { trees: c.isolation_forest.trees, sampleSize: c.isolation_forest.sample_size, rebuildEvery: c.isolation_forest.rebuild_every, minPoints: c.isolation_forest.min_points, seed: c.isolation_forest.seed },
    likelihood: { shortAlpha: c.calibration.short_alpha, longAlpha: c.calibration.long_alpha, minPoints: c.calibration.min_points },
    threshold: c.threshold,
    refractoryMs: c.refractory_period,
    thresholdRise: { perEvent: c.threshold_rise.per_event, halfLifeMs: c.threshold_rise.half_life },
  };
}
