/** The probabilistic_sampler: a pure payload function deciding per trace id (see ./hash). */
import type { Consumer, CreateSettings, Processor } from '../../pipeline/component.js';
import { filterSpans } from '../../pdata/index.js';
import type { Payload, Signal } from '../../pdata/payload.js';
import { createProcessor, type ProcessFn } from '../processorhelper/index.js';
import { effectiveMode, type Config } from './config.js';
import { TraceIdSampler } from './hash.js';
import { filterLogsByTraceId } from './log-filter.js';

/** The payload function for one signal: spans by trace id; log records by trace id, kept without one. */
export function samplingFunction(config: Config, signal: Signal): ProcessFn {
  const sampler = new TraceIdSampler(config.sampling_percentage, config.hash_seed);
  const keep = (traceId: Uint8Array): boolean => sampler.sampled(traceId);
  if (signal === 'traces') return (payload: Payload) => filterSpans(payload, keep);
  if (signal === 'logs') return (payload: Payload) => filterLogsByTraceId(payload, keep);
  throw new Error(`probabilistic_sampler does not support ${signal}`);
}

/** Builds the sampler processor for one pipeline. */
export function createSampler(settings: CreateSettings, config: Config, signal: Signal, next: Consumer): Processor {
  const mode = effectiveMode(config);
  if (mode !== 'hash_seed') {
    // vigil implements only the hash_seed algorithm; say so once, where the operator looks.
    settings.logger.warn({ mode },
      `mode "${mode}" is sampled with the hash_seed algorithm; set mode: hash_seed on Collectors that must agree with vigil`);
  }
  return createProcessor({ settings, signal, next, process: samplingFunction(config, signal) });
}
