/** The tail_sampling processor: one TailSamplingWorker per owned partition, sharing policies, budget and metrics. */
import type { Consumer, CreateSettings, Processor } from '../../pipeline/component.js';
import type { Signal } from '../../pdata/index.js';
import { createStatefulProcessor } from '../processorhelper/index.js';
import type { Config } from './config.js';
import { buildPolicies } from './decide.js';
import { TailSamplingMetrics } from './metrics.js';
import { Budget } from './pending.js';
import { eventTimeOf, TailSamplingWorker, type Shared } from './worker.js';

/**
 * Wall time without records after which a partition's watermark follows the wall clock, so the
 * last traces of a quiet partition are decided about decision_wait after they arrived.
 */
export const IDLE_TIMEOUT_MS = 1_000;

/** Builds the processor for one traces pipeline. */
export function createTailSampling(settings: CreateSettings, config: Config, signal: Signal, next: Consumer): Processor {
  const name = settings.id.name;
  const shared: Shared = {
    config,
    policies: buildPolicies(config.policies),
    metrics: new TailSamplingMetrics(settings.metrics.registry, settings.id.id, name ? `${name}.` : ''),
    budget: new Budget(config.num_traces, config.max_held_size_mib * 1024 * 1024),
    workers: new Set(),
  };
  if (config.block_on_overflow) {
    settings.logger.info('block_on_overflow: vigil never drops an undecided trace; when num_traces is reached it decides the oldest early, and the stage log applies backpressure');
  }
  return createStatefulProcessor({
    settings, signal, next,
    clock: { allowedLatenessMs: 0, idleTimeoutMs: IDLE_TIMEOUT_MS },
    eventTime: eventTimeOf,
    open: (ctx) => TailSamplingWorker.open(ctx, shared),
  });
}
